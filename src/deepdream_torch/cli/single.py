"""``-sp PICTURE``: one dreamed picture per layer and a contact sheet in ``data/single_pictures/<name>/``; with
``--zoom-frames N`` a zoom animation; with ``--preview`` a quick small version in its ``preview/`` subfolder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.artist import camera, objective_for
from deepdream_torch.cli.flags import Checked, Flags, runtime_of
from deepdream_torch.cli.model import Model, console_log, layers_to_dream, load
from deepdream_torch.cli.picture_progress import picture_bars
from deepdream_torch.cli.rich_progress import rich_progress
from deepdream_torch.dreaming.dream import check_layer
from deepdream_torch.dreaming.layers import distinct
from deepdream_torch.dreaming.pixels import as_rgb_array
from deepdream_torch.picture.preview import preview_settings, shrink
from deepdream_torch.picture.single import SinglePictureResult, dream_single_picture, picture_folder
from deepdream_torch.picture.zoom import dream_zoom
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
    objective = objective_for(flags, model.net, layers)  # a wrong channel stops here, before any bar is drawn
    settings = replace(checked.settings, mean=model.mean)
    folder = output_folder(flags)
    picture, name = flags.single_picture, flags.single_picture.stem
    if flags.preview:
        picture = shrink(as_rgb_array(flags.single_picture), flags.preview_scale)
        settings, folder = preview_settings(settings), folder / PREVIEW
    with picture_bars(err, len(layers), flags.verbose) as bars:
        result = dream_single_picture(
            picture, model.net, layers,
            out_dir=folder, image_type=flags.image_type, settings=settings, guide=checked.guide,
            seed=flags.seed, chain=flags.chain, progress=bars, runtime=runtime_of(flags, bars.log),
            objective_for=objective, name=name, tag=channel_tag(flags),
        )  # fmt: skip
    # Each result was printed (at -v 1 and 2) by the run's log as it was written; the sheet is the summary.
    consoles.out().print(f"contact sheet: {result.contact_sheet}")
    return result


def _run_zoom(flags: Flags, checked: Checked, model: Model, layers: tuple[str, ...]) -> RunResult:
    assert flags.single_picture is not None and flags.zoom_frames is not None
    folder = output_folder(flags)
    tag = channel_tag(flags)
    objective = objective_for(flags, model.net, layers)
    recorded = zoom_settings(flags, replace(checked, layers=layers), model)
    stem = f"{flags.single_picture.stem}_zoom{'_' + tag if tag else ''}"
    err = consoles.err()
    with rich_progress(err, flags.verbose) as bars:
        result = dream_zoom(
            flags.single_picture, model.net, folder / f"{ZOOM_FRAMES}{'_' + tag if tag else ''}",
            folder / f"{stem}.mp4", flags.zoom_frames, layers, camera(flags),
            settings=replace(checked.settings, mean=model.mean), guide=checked.guide,
            objective_for=objective, seed=flags.seed, fps=flags.zoom_fps, image_type=flags.image_type,
            crf=flags.crf, restart=flags.restart, frame_settings=recorded, progress=bars,
            runtime=runtime_of(flags, bars.log),
        )  # fmt: skip
    out = consoles.out()
    out.print(f"video: {result.video}")
    out.print(f"frames: {result.frames_dir} ({result.frames} frames)")
    return result


def zoom_settings(flags: Flags, checked: Checked, model: Model) -> dict[str, object]:
    """What the zoom frames folder records: every setting of a video frame, the picture's pixels and the move."""
    from deepdream_torch.cli.video_modes import frame_settings, pixels_sha1

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
