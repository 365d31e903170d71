"""``-sp PICTURE``: one dreamed picture per layer and a contact sheet in ``data/single_pictures/<name>/``; with
``--zoom-frames N`` a zoom animation; with ``--preview`` a quick small version in its ``preview/`` subfolder."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.artist import camera
from deepdream_torch.cli.event_stream import teed
from deepdream_torch.cli.flags import Checked, Flags
from deepdream_torch.cli.model import Model, console_log, layers_to_dream, load
from deepdream_torch.cli.picture_progress import picture_bars
from deepdream_torch.cli.recipe import recipe_of
from deepdream_torch.cli.rich_progress import rich_progress
from deepdream_torch.dreaming.dream import check_layer
from deepdream_torch.dreaming.layers import distinct
from deepdream_torch.dreaming.pixels import as_rgb_array
from deepdream_torch.picture.preview import preview_settings, shrink
from deepdream_torch.picture.single import SinglePictureResult, picture_folder
from deepdream_torch.runner import Dreaming, Encoder, PictureRun, ZoomRun, run
from deepdream_torch.video.result import RunResult

PREVIEW = "preview"
ZOOM_FRAMES = "zoom_frames"


def output_folder(flags: Flags) -> Path:
    """``-o`` or ``data/single_pictures/<name>/``, in its ``guided/`` subfolder for a guided run."""
    assert flags.single_picture is not None
    guided = flags.guide_image is not None
    if flags.output_dir is None:
        return picture_folder(flags.single_picture.stem, guided)
    return flags.output_dir / "guided" if guided else flags.output_dir


def channel_tag(flags: Flags) -> str:
    """What a channel objective adds to the file names (``ch-12,40-45``), so such runs keep their own files."""
    if flags.channels is None:
        return ""
    rest = f"_rest-{flags.channels_weight:g}" if flags.channels_weight else ""
    return f"ch-{flags.channels.replace(' ', '')}{rest}"


def run_single_picture(flags: Flags, checked: Checked) -> SinglePictureResult | RunResult:
    """Dream ``flags.single_picture`` once per layer (or as a zoom animation); ``-o`` replaces the folder."""
    err = consoles.err()
    model = load(flags.model_name, flags.model_path, err)
    layers = layers_to_dream(model, checked.layers, flags.layers_given, console_log(err, flags.verbose))
    for layer in distinct(layers):
        check_layer(model.net, layer)
    if flags.zoom_frames is not None:
        return _run_zoom(flags, checked, model, layers)
    layers = distinct(layers)
    recipe = recipe_of(flags, replace(checked, layers=layers), model)  # a wrong channel stops here, before any bar
    folder = output_folder(flags)
    picture: Path | np.ndarray = flags.single_picture
    if flags.preview:
        picture = shrink(as_rgb_array(flags.single_picture), flags.preview_scale)
        recipe, folder = replace(recipe, settings=preview_settings(recipe.settings)), folder / PREVIEW
    job = PictureRun(
        picture, Dreaming(model.net, tuple(layers), recipe), folder, image_type=flags.image_type, chain=flags.chain,
        name=flags.single_picture.stem, tag=channel_tag(flags),
    )  # fmt: skip
    with picture_bars(err, len(layers), flags.verbose) as bars:
        result = run(job, teed(bars, job))
    assert isinstance(result, SinglePictureResult)
    # Each result was printed (at -v 1 and 2) by the run's log as it was written; the sheet is the summary.
    consoles.out().print(f"contact sheet: {result.contact_sheet}")
    return result


def _run_zoom(flags: Flags, checked: Checked, model: Model, layers: tuple[str, ...]) -> RunResult:
    assert flags.single_picture is not None and flags.zoom_frames is not None
    folder = output_folder(flags)
    tag = channel_tag(flags)
    checked = replace(checked, layers=layers)
    recipe = recipe_of(flags, checked, model)
    stem = f"{flags.single_picture.stem}_zoom{'_' + tag if tag else ''}"
    job = ZoomRun(
        flags.single_picture, Dreaming(model.net, layers, recipe), folder / f"{ZOOM_FRAMES}{'_' + tag if tag else ''}",
        folder / f"{stem}.mp4", flags.zoom_frames, camera(flags), image_type=flags.image_type, restart=flags.restart,
        record=zoom_settings(flags, checked, model), encoder=Encoder(flags.crf, Fraction(flags.zoom_fps)),
    )  # fmt: skip
    with rich_progress(consoles.err(), flags.verbose) as bars:
        result = run(job, teed(bars, job))
    assert isinstance(result, RunResult)
    out = consoles.out()
    out.print(f"video: {result.video}")
    out.print(f"frames: {result.frames_dir} ({result.frames} frames)")
    return result


def zoom_settings(flags: Flags, checked: Checked, model: Model) -> dict[str, object]:
    """What the zoom frames folder records: every setting of a video frame, the picture's pixels and the move."""
    from deepdream_torch.cli.video_run import frame_settings, pixels_sha1

    assert flags.single_picture is not None
    move = camera(flags)
    return {
        **frame_settings(flags, checked, model),
        "picture": pixels_sha1(as_rgb_array(flags.single_picture)),
        "zoom": move.zoom,
        "rotate": move.rotate,
        "pan": list(move.pan),
        "fps": flags.zoom_fps,
        "channels": flags.channels,
        "channels_weight": flags.channels_weight,
    }
