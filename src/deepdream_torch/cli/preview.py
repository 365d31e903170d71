"""``--preview`` on a video: every n-th frame, small and quick, into ``<output>/<video>_preview/``."""

from __future__ import annotations

from dataclasses import replace

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.artist import objective_for
from deepdream_torch.cli.flags import Checked, Flags, runtime_of
from deepdream_torch.cli.model import Model, console_log
from deepdream_torch.picture.preview import preview_video
from deepdream_torch.video import paths
from deepdream_torch.video.result import RunResult


def run_video_preview(flags: Flags, checked: Checked, model: Model) -> RunResult:
    """Dream the preview frames of ``-e VIDEO``; the real frames folder is never touched."""
    assert flags.extract is not None  # checked with the flags (cli/artist.py)
    name = paths.video_name(flags.extract)
    folder = paths.frames_folder(paths.output_root(flags.output_dir), f"{name}_preview", flags.guide_image is not None)
    err = consoles.err()
    written = preview_video(
        flags.extract, model.net, folder, checked.layers,
        every=flags.preview_every, scale=flags.preview_scale, settings=replace(checked.settings, mean=model.mean),
        objective_for=objective_for(flags, model.net, checked.layers), seed=flags.seed,
        image_type=flags.image_type, runtime=runtime_of(flags, console_log(err, flags.verbose)),
    )  # fmt: skip
    consoles.out().print(f"preview: {folder} ({len(written)} frames, contact_sheet.jpg)")
    return RunResult(folder, len(written), dreamed=len(written))
