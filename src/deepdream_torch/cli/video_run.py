"""Modes 0 to 3: the original's folders from the flags, a dreamer from the model, one video call per mode.

The flags become one run value (``video_job``) that the runner runs. Folders as the original: ``-e data/videos/clip.mp4`` puts extracted frames in ``<input>/clip/``, dreamed ones in
``<output>/clip/`` (``clip_guided`` with a guide picture) and the video in ``data/dream_video/``. Without ``-e``,
modes 2 and 3 use ``-i``/``-o`` themselves as the frame folders.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.event_stream import teed
from deepdream_torch.cli.flags import Checked, Flags
from deepdream_torch.cli.folder_words import (
    changed_from_defaults,
    flag_settings,
    folder_for,
    video_name,
    words_for,
)
from deepdream_torch.cli.folder_words import words as folder_words
from deepdream_torch.cli.model import Model, console_log, layers_to_dream, load
from deepdream_torch.cli.recipe import recipe_of
from deepdream_torch.cli.rich_progress import RichProgress, rich_progress
from deepdream_torch.dreaming.device import resolve_device
from deepdream_torch.dreaming.dream import check_layer
from deepdream_torch.dreaming.layers import distinct
from deepdream_torch.runner import Dreaming, Encoder, RayPlan, VideoRun, run
from deepdream_torch.video import paths
from deepdream_torch.video.folder_choice import choose_frames_folder, find_frames_folder
from deepdream_torch.video.result import RunResult

# Frames dreamed together when the blend leaves them independent (-b 1): only worth it on a GPU.
CUDA_BATCH = 4


def frame_settings(flags: Flags, checked: Checked, model: Model) -> dict[str, object]:
    """Everything that shapes a dreamed frame, as the frames folder's manifest records it (``video.manifest``): a
    rerun resumes only when these match: the flags' settings (``folder_words.SETTINGS``, the one table a new
    setting that changes what a frame looks like is added to) and the model's (its sha1s and mean, the guide's
    pixels)."""
    from deepdream_torch.weights.checksum import model_sha1

    guide = checked.guide
    return {
        "model": model_sha1(model.files.caffemodel),
        "prototxt": hashlib.sha1(model.files.prototxt.read_bytes()).hexdigest(),
        "layers": list(checked.layers),
        **flag_settings(flags, checked),
        "mean": [float(value) for value in model.mean],
        # The guide's pixels, not its path: the same picture moved is the same guide, an edited one is not.
        "guide": None if guide is None else pixels_sha1(guide),
    }


def pixels_sha1(picture: np.ndarray) -> str:
    """The sha1 of a picture's shape and pixels (what a manifest records of a picture, whatever its path)."""
    digest = hashlib.sha1(str(picture.shape).encode())
    digest.update(np.ascontiguousarray(picture).tobytes())
    return digest.hexdigest()


def folders(flags: Flags) -> tuple[str, Path, Path]:
    """(video name, extracted frames folder, dreamed frames folder) for these flags."""
    input_root, output_root = paths.input_root(flags.input_dir), paths.output_root(flags.output_dir)
    guided = flags.guide_image is not None
    if flags.extract is None:
        return output_root.name, input_root, output_root
    name = paths.video_name(flags.extract)
    return name, paths.frames_folder(input_root, name, guided), paths.frames_folder(output_root, name, guided)


def run_video_mode(flags: Flags, checked: Checked) -> RunResult:
    """Mode 0, 1, 2 or 3 of the original, as the flags ask; prints where the result is."""
    err = consoles.err()
    model = None
    if flags.mode in (0, 2):
        model = load(flags.model_name, flags.model_path, err)
        layers = layers_to_dream(model, checked.layers, flags.layers_given, console_log(err, flags.verbose))
        checked = replace(checked, layers=layers)
        for layer in distinct(checked.layers):
            check_layer(model.net, layer)
        if flags.preview:
            from deepdream_torch.cli.preview import run_video_preview

            return run_video_preview(flags, checked, model)
    with rich_progress(err, flags.verbose) as bars:
        job = video_job(flags, checked, model, bars)
        if job.ray is not None:
            import deepdream_torch.cluster  # noqa: F401 (registers the runner's loop for runs in chunks on Ray)
        result = run(job, teed(bars, job))
    assert isinstance(result, RunResult)
    out = consoles.out()
    if result.video is not None:
        out.print(f"video: {result.video}")
    out.print(f"frames: {result.frames_dir} ({result.frames} frames)")
    return result


def video_job(flags: Flags, checked: Checked, model: Model | None, bars: RichProgress) -> VideoRun:
    """The run value of modes 0 to 3 for these flags: its folders chosen (a dream of other settings goes beside
    the video's first one), its settings record, the dreaming for modes 0 and 2."""
    name, frames_in, frames_out = folders(flags)
    guided = flags.guide_image is not None
    common = {"frames": checked.frames, "image_type": flags.image_type, "encoder": Encoder(crf=flags.crf)}
    if flags.mode == 1:
        return VideoRun(1, flags.extract, frames_in, **common)
    if flags.mode == 3:
        source = flags.extract if flags.extract is not None and flags.extract.is_file() else None
        if flags.extract is not None and source is None:
            bars.log(1, f"{flags.extract} is not there: the video is assembled at 25 frames/s, without audio")
        words = ""
        if flags.extract is not None:
            known = flag_settings(flags, checked)
            found = find_frames_folder(
                folder_for(frames_out.parent, name, guided),
                folder_words(changed_from_defaults(flags, checked), known, flags), known,
            )  # fmt: skip
            frames_out, words = found.folder, found.words
        return VideoRun(3, source, frames_out, paths.dream_video_path(video_name(name, words), guided), **common)
    assert model is not None
    settings = frame_settings(flags, checked, model)
    words = ""
    if flags.extract is not None:  # the folder is named after the video: a dream of its own settings
        choice = choose_frames_folder(
            folder_for(frames_out.parent, name, guided), words_for(flags, checked, settings), settings
        )
        frames_out, words = choice.folder, choice.words
        if choice.describe() is not None:
            bars.log(1, choice.describe())
    on_gpu = resolve_device(flags.device).type == "cuda"
    ray = None
    if flags.ray is not None:
        ray = RayPlan(flags.ray or "local", flags.workers, flags.threads, flags.chunk_frames, flags.warmup)
    return VideoRun(
        flags.mode, flags.extract if flags.mode == 0 else frames_in, frames_out,
        paths.dream_video_path(video_name(name, words), guided),
        Dreaming(model.net, tuple(checked.layers), recipe_of(flags, checked, model)),
        blend=checked.blend, flow=checked.flow, restart=flags.restart, record=settings,
        # -v 2 ends with the run's warping error beside the footage's (modes 0 and 2 in one process).
        measure=flags.verbose >= 2, batch_size=CUDA_BATCH if on_gpu and checked.blend.independent else 1, ray=ray,
        **common,
    )  # fmt: skip
