"""What the original form does with its flags: check them all, then one library call for the mode asked.

Every check that needs no model runs first, so a mistake is reported in one line before anything is downloaded,
loaded or printed.
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

from deepdream_torch.cli.errors import CliError
from deepdream_torch.cli.flags import (
    CUSTOMLOOP,
    DEFAULT_JITTER_SEED,
    DEFAULT_REFINE_OCTAVES,
    DEFAULT_TEMPORAL,
    Checked,
    Flags,
)
from deepdream_torch.dreaming.device import resolve_device, resolve_precision
from deepdream_torch.dreaming.layers import CUSTOMLOOP as CUSTOMLOOP_LAYERS
from deepdream_torch.dreaming.pixels import as_rgb_array
from deepdream_torch.dreaming.settings import DreamSettings
from deepdream_torch.video.blend import parse_blend
from deepdream_torch.video.flow import parse_flow
from deepdream_torch.video.frame import FrameRange


def expand_layers(layers: tuple[str, ...]) -> tuple[str, ...]:
    """``customloop`` stands for the original's GoogLeNet layer cycle, wherever it appears in the list."""
    expanded: list[str] = []
    for layer in layers:
        expanded.extend(CUSTOMLOOP_LAYERS if layer == CUSTOMLOOP else (layer,))
    return tuple(expanded)


# Flags that only shape what another flag asks for: given without it, they would be silently ignored.
COMPANIONS = {
    "zoom_frames": ("zoom", "rotate", "pan", "zoom_fps"),
    "preview": ("preview_scale", "preview_every"),
    "channels": ("channels_weight",),
    "flow": ("flow_quality", "temporal", "refine_octaves"),
}


def check(flags: Flags) -> Checked:
    """Everything about the flags that can be wrong without looking at the model; raises a DeepDreamError."""
    settings = DreamSettings(flags.octaves, flags.octave_scale, flags.iterations, flags.jitter, flags.step_size)
    _all_finite(flags)
    _no_orphans(flags)
    from deepdream_torch.cli.artist import check_artist_flags

    check_artist_flags(flags)
    from deepdream_torch.cli.ray_mode import check_ray_flags

    check_ray_flags(flags)
    resolve_precision(flags.precision, resolve_device(flags.device))
    if flags.single_picture is None and flags.mode in (0, 1) and flags.extract is None:
        raise CliError(
            f"mode {flags.mode} needs a video: add -e/--extract PATH (e.g. -e data/videos/my_video.mp4),"
            " or -sp PICTURE for a single picture"
        )
    if flags.single_picture is not None:
        _must_exist("picture", flags.single_picture)
    elif flags.extract is not None and flags.mode in (0, 1):
        _must_exist("video", flags.extract)
    if flags.guide_image is not None:
        _must_exist("guide picture", flags.guide_image)
    blend = parse_blend(flags.blend, seed=flags.seed)
    flowing = flags.flow != "off"
    temporal = flags.temporal if flags.temporal is not None else DEFAULT_TEMPORAL if flowing else 0.0
    refine = flags.refine_octaves if flags.refine_octaves is not None else DEFAULT_REFINE_OCTAVES if flowing else 0
    flow = parse_flow(flags.flow, flags.flow_quality, temporal, refine)
    jitter_seed = flags.jitter_seed or (DEFAULT_JITTER_SEED if flowing else "frame")
    if not flow.off and flags.single_picture is not None:
        # It would be ignored: a picture (or its zoom animation) has no source motion to follow.
        raise CliError(f"--flow {flow.method} follows the motion of a video: drop --flow for a picture (-sp)")
    if not flow.off and blend.independent:
        raise CliError(
            f"--flow {flow.method} carries the last dream along the motion, but --blend 1 carries nothing: "
            "give a blend below 1, or drop --flow"
        )
    guide = as_rgb_array(flags.guide_image) if flags.guide_image is not None else None
    return Checked(
        settings=settings,
        blend=blend,
        frames=FrameRange(flags.start_frame, flags.end_frame),
        layers=expand_layers(flags.layers),
        guide=guide,
        flow=flow,
        jitter_seed=jitter_seed,
    )


def run_flags(flags: Flags) -> None:
    """Run the original form's command line ``flags`` stands for."""
    checked = check(flags)
    if flags.threads is not None:
        import torch

        from deepdream_torch.video.flow import limit_threads

        torch.set_num_threads(flags.threads)  # several runs on one machine: each keeps to its share of the cores
        limit_threads(flags.threads)  # and OpenCV's optical flow, which runs beside the dream
    from deepdream_torch.safe_paths import protect

    # Every file the run writes is checked against these (safe_paths): no output may overwrite an input.
    with protect({"picture": flags.single_picture, "guide picture": flags.guide_image, "video": flags.extract}):
        _run_mode(flags, checked)


def _run_mode(flags: Flags, checked: Checked) -> None:
    if flags.single_picture is not None:
        from deepdream_torch.cli.single import run_single_picture

        run_single_picture(flags, checked)
    elif flags.mode in (0, 1, 2, 3):
        from deepdream_torch.cli.video_run import run_video_mode

        run_video_mode(flags, checked)
    elif flags.mode == 4:
        from deepdream_torch.cli.zoo_menu import run_menu

        run_menu(verbose=flags.verbose)
    else:
        from deepdream_torch.cli.layers_table import show_layers

        show_layers(flags.model_name, flags.model_path)


def _all_finite(flags: Flags) -> None:
    """No number flag may be nan or infinite: typer's ranges let nan through (it compares false both ways)."""
    for field in fields(flags):
        value = getattr(flags, field.name)
        if isinstance(value, float) and not math.isfinite(value):
            raise CliError(f"--{field.name.replace('_', '-')} {value}: give a finite number")


def _no_orphans(flags: Flags) -> None:
    """A companion flag set away from its default (``--zoom 1.2``) needs the flag it belongs to (``--zoom-frames``)."""
    defaults = {field.name: field.default for field in fields(Flags)}
    for lead, companions in COMPANIONS.items():
        if getattr(flags, lead) != defaults[lead]:
            continue
        given = [f"--{name.replace('_', '-')}" for name in companions if getattr(flags, name) != defaults[name]]
        if given:
            lead_flag = f"--{lead.replace('_', '-')}"
            works, them = ("works", "it") if len(given) == 1 else ("work", "them")
            raise CliError(f"{', '.join(given)} only {works} with {lead_flag}: add {lead_flag} (or drop {them})")


def _must_exist(what: str, path: Path) -> None:
    if path.is_dir():
        raise CliError(f"{what} {path} is a folder, not a file: give the {what} file inside it")
    if not path.is_file():
        raise CliError(f"{what} {path} does not exist: check the path (inside Docker, the files are under /data)")
