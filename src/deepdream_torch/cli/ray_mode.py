"""``--ray``: the checks of the flags that spread modes 0 and 2 over a Ray cluster (``video_run.video_job``
puts them in the run value as a ``RayPlan``)."""

from __future__ import annotations

from deepdream_torch.cli.errors import CliError
from deepdream_torch.cli.flags import Flags

RAY_ONLY = ("workers", "chunk_frames", "warmup")


def check_ray_flags(flags: Flags) -> None:
    """The ``--ray`` flags make sense together, and Ray is installed; raises CliError/ClusterError (one line)."""
    if flags.ray is None:
        given = [f"--{name.replace('_', '-')}" for name in RAY_ONLY if getattr(flags, name) is not None]
        if given:
            raise CliError(f"{', '.join(given)} only work with --ray: add --ray (or drop them)")
        return
    if flags.single_picture is not None or flags.mode not in (0, 2):
        raise CliError(
            "--ray dreams videos and frames folders (modes 0 and 2) in chunks: drop --ray for this mode"
        )
    from deepdream_torch.cluster.runtime import require_ray

    require_ray()
