"""``--preview`` on a video: every n-th frame, small and quick, into ``<output>/<video>_preview/``."""

from __future__ import annotations

from dataclasses import replace

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.flags import Checked, Flags
from deepdream_torch.cli.model import Model, console_log
from deepdream_torch.cli.video_run import recipe_of
from deepdream_torch.picture.preview import preview_settings, preview_video
from deepdream_torch.video import paths
from deepdream_torch.video.result import RunResult


def run_video_preview(flags: Flags, checked: Checked, model: Model) -> RunResult:
    """Dream the preview frames of ``-e VIDEO``; the real frames folder is never touched."""
    assert flags.extract is not None  # checked with the flags (cli/artist.py)
    name = paths.video_name(flags.extract)
    folder = paths.frames_folder(paths.output_root(flags.output_dir), f"{name}_preview", flags.guide_image is not None)
    log = console_log(consoles.err(), flags.verbose)
    recipe = recipe_of(flags, checked, model)
    # Frame n seeded seed + n, as the full run's first choice, at preview settings; the dream's details to the log.
    recipe = replace(
        recipe, settings=preview_settings(recipe.settings), jitter_seed="frame",
        runtime=replace(recipe.runtime, log=log),
    )  # fmt: skip
    written = preview_video(
        flags.extract, recipe.dreamer(model.net), folder, checked.layers, every=flags.preview_every,
        scale=flags.preview_scale, image_type=flags.image_type, log=log,
    )  # fmt: skip
    consoles.out().print(f"preview: {folder} ({len(written)} frames, contact_sheet.jpg)")
    return RunResult(folder, len(written), dreamed=len(written))
