"""Long videos in chunks on a Ray cluster: each worker dreams contiguous frames, warmed up to match a
sequential run; Ray is imported only when a chunked run starts (``pip install 'deepdream-torch[ray]'``)."""

from deepdream_torch.cluster.driver import RayOptions, dream_chunked
from deepdream_torch.cluster.errors import ClusterError
from deepdream_torch.cluster.modes import dream_frames_on_ray, dream_video_on_ray
from deepdream_torch.cluster.plan import default_warmup
from deepdream_torch.cluster.recipe import DreamRecipe

__all__ = [
    "ClusterError",
    "DreamRecipe",
    "RayOptions",
    "default_warmup",
    "dream_chunked",
    "dream_frames_on_ray",
    "dream_video_on_ray",
]
