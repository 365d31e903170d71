"""``--ray``: modes 0 and 2 in chunks on a Ray cluster; the flags translated into one call of the cluster package."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from deepdream_torch.cli.artist import objective_for
from deepdream_torch.cli.errors import CliError
from deepdream_torch.cli.flags import Checked, Flags, runtime_of
from deepdream_torch.cli.model import Model
from deepdream_torch.dreaming.layers import distinct
from deepdream_torch.video.progress import Progress
from deepdream_torch.video.result import RunResult

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


def run_on_ray(
    flags: Flags,
    checked: Checked,
    model: Model,
    run: Mapping[str, Any],
    frames_in: Path,
    frames_out: Path,
    video_out: Path,
    progress: Progress,
) -> RunResult:
    """Mode 0 or 2 as ``run`` (the single-process mode's blend, batch, restart, manifest and flow) asks, in chunks."""
    from deepdream_torch.cluster import DreamRecipe, RayOptions, dream_frames_on_ray, dream_video_on_ray
    from deepdream_torch.dreaming.device import resolve_device

    objective = objective_for(flags, model.net, checked.layers)
    # Ray gives each worker one GPU of its own (CUDA_VISIBLE_DEVICES), seen as cuda:0 there: `cuda:N` means it too.
    device = "cuda" if flags.device.startswith("cuda") else flags.device
    recipe = DreamRecipe(
        replace(checked.settings, mean=model.mean), replace(runtime_of(flags), device=device), guide=checked.guide,
        seed=flags.seed, jitter_seed=checked.jitter_seed,
        objectives=None if objective is None else {layer: objective(layer) for layer in distinct(checked.layers)},
    )  # fmt: skip
    options = RayOptions(flags.ray or "local", flags.workers, flags.threads, flags.chunk_frames, flags.warmup)
    common = {
        "blend": run["blend"], "frames": checked.frames, "image_type": flags.image_type, "restart": run["restart"],
        "options": options, "cuda": resolve_device(flags.device).type == "cuda", "batch_size": run["batch_size"],
        "flow": run["flow"],
        "frame_settings": run.get("frame_settings"), "progress": progress,
    }  # fmt: skip
    if flags.mode == 0:
        return dream_video_on_ray(
            flags.extract, frames_out, video_out, model.net, recipe, checked.layers, crf=flags.crf, **common
        )
    return dream_frames_on_ray(frames_in, frames_out, model.net, recipe, checked.layers, **common)
