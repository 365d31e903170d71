"""Long videos in chunks on a Ray cluster: each worker dreams contiguous frames, warmed up to match a
sequential run; Ray is imported only when a chunked run starts (``pip install 'deepdream-torch[ray]'``).

Importing the package registers ``run_chunked`` with the runner: a ``VideoRun`` with ``ray`` set then runs in
chunks through ``runner.run``, with the same lifecycle as any other run.
"""

from deepdream_torch.cluster.chunked import dream_frames_on_ray, dream_video_on_ray, run_chunked
from deepdream_torch.cluster.driver import dream_chunked
from deepdream_torch.cluster.errors import ClusterError
from deepdream_torch.cluster.plan import default_warmup
from deepdream_torch.runner.loops import register_chunked
from deepdream_torch.runner.recipe import DreamRecipe
from deepdream_torch.runner.runs import RayPlan

register_chunked(run_chunked)

__all__ = [
    "ClusterError",
    "DreamRecipe",
    "RayPlan",
    "default_warmup",
    "dream_chunked",
    "dream_frames_on_ray",
    "dream_video_on_ray",
    "run_chunked",
]
