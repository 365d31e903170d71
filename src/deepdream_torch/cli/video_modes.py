"""Modes 0 to 3: the original's folders from the flags, a dreamer from the model, one video call per mode.

Folders as the original: ``-e data/videos/clip.mp4`` puts extracted frames in ``<input>/clip/``, dreamed ones in
``<output>/clip/`` (``clip_guided`` with a guide picture) and the video in ``data/dream_video/``. Without ``-e``,
modes 2 and 3 use ``-i``/``-o`` themselves as the frame folders.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.artist import objective_for
from deepdream_torch.cli.flags import Checked, Flags, runtime_of
from deepdream_torch.cli.frames_folders import (
    changed_from_defaults,
    flag_settings,
    folder_for,
    video_name,
    words_for,
)
from deepdream_torch.cli.frames_folders import words as folder_words
from deepdream_torch.cli.model import Model, console_log, layers_to_dream, load
from deepdream_torch.cli.rich_progress import RichProgress, rich_progress
from deepdream_torch.dreaming.device import resolve_device
from deepdream_torch.dreaming.dream import check_layer, dream_batch
from deepdream_torch.dreaming.layers import distinct
from deepdream_torch.video import assemble_video, dream_frames, dream_video, extract_frames, paths
from deepdream_torch.video.folder import dreamed_frames
from deepdream_torch.video.frame import Dreamer
from deepdream_torch.video.manifest import assembled_video
from deepdream_torch.video.paths import check_image_type
from deepdream_torch.video.result import RunResult
from deepdream_torch.video.settings_folder import choose_frames_folder, find_frames_folder

# Frames dreamed together when the blend leaves them independent (-b 1): only worth it on a GPU.
CUDA_BATCH = 4


def make_dreamer(model: Model, flags: Flags, checked: Checked, bars: RichProgress) -> Dreamer:
    """The ``(frames, layers, numbers) -> frames`` callable the video modes dream with: the net and settings bound
    once; frame n's jitter is seeded with ``seed + n``, so it dreams the same whether or not the run was resumed."""

    objective = objective_for(flags, model.net, checked.layers)
    objectives = {layer: objective(layer) for layer in distinct(checked.layers)} if objective else None

    settings, runtime = replace(checked.settings, mean=model.mean), runtime_of(flags, bars.log)

    def dreamer(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
        return dream_batch(
            frames, model.net, list(layers), settings, runtime, guide=checked.guide,
            seed=[flags.seed + n for n in numbers], progress=bars.steps,
            objectives=None if objectives is None else [objectives[layer] for layer in layers],
        )  # fmt: skip

    return dreamer


def frame_settings(flags: Flags, checked: Checked, model: Model) -> dict[str, object]:
    """Everything that shapes a dreamed frame, as the frames folder's manifest records it (``video.manifest``): a
    rerun resumes only when these match. A new setting that changes what a frame looks like adds its key to
    ``frames_folders.flag_settings`` (only when it is on, so that folders dreamed before it still resume)."""
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


def _already_assembled(frames_dir: Path, flags: Flags, checked: Checked, bars: RichProgress) -> RunResult | None:
    """The result of a run that has nothing left to do: every frame of the range is dreamed and the video made
    from them is still there (one video per dream, however often its commands are run); else None."""
    video = assembled_video(frames_dir, checked.frames)
    if video is None:
        return None
    count = len(dreamed_frames(frames_dir, check_image_type(flags.image_type), checked.frames))
    bars.log(1, f"{video} was made from these frames and none changed since: nothing to do")
    return RunResult(frames_dir, count, reused=count, video=video)


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
    name, frames_in, frames_out = folders(flags)
    guided = flags.guide_image is not None
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
        common = {"frames": checked.frames, "image_type": flags.image_type, "progress": bars}
        if flags.mode == 1:
            result = extract_frames(flags.extract, frames_in, **common)
        elif flags.mode == 3:
            source = flags.extract if flags.extract is not None and flags.extract.is_file() else None
            if flags.extract is not None and source is None:
                bars.log(1, f"{flags.extract} is not there: the video is assembled at 25 frames/s, without audio")
            words = ""
            if flags.extract is not None:
                found = find_frames_folder(
                    folder_for(frames_out.parent, name, guided),
                    folder_words(changed_from_defaults(flags, checked), flag_settings(flags, checked), flags),
                    flag_settings(flags, checked),
                )
                frames_out, words = found.folder, found.words
            result = _already_assembled(frames_out, flags, checked, bars) or assemble_video(
                frames_out, paths.dream_video_path(video_name(name, words), guided), source=source,
                crf=flags.crf, **common,
            )  # fmt: skip
        else:
            assert model is not None
            on_gpu = resolve_device(flags.device).type == "cuda"
            settings = frame_settings(flags, checked, model)
            words = ""
            if flags.extract is not None:  # the folder is named after the video: a dream of its own settings
                choice = choose_frames_folder(
                    folder_for(frames_out.parent, name, guided), words_for(flags, checked, settings), settings
                )
                frames_out, words = choice.folder, choice.words
                if choice.describe() is not None:
                    bars.log(1, choice.describe())
            run = {
                "blend": checked.blend,
                "batch_size": CUDA_BATCH if on_gpu and checked.blend.independent else 1,
                "restart": flags.restart,
                "frame_settings": settings,
                "flow": checked.flow,
            }
            dreamer = make_dreamer(model, flags, checked, bars)
            video_out = paths.dream_video_path(video_name(name, words), guided)
            if flags.ray is not None:
                from deepdream_torch.cli.ray_mode import run_on_ray

                result = run_on_ray(flags, checked, model, run, frames_in, frames_out, video_out, bars)
            elif flags.mode == 0:
                result = (None if flags.restart else _already_assembled(frames_out, flags, checked, bars)) or dream_video(
                    flags.extract, frames_out, video_out, dreamer, checked.layers, crf=flags.crf, **run, **common
                )
            else:
                result = dream_frames(frames_in, frames_out, dreamer, checked.layers, **run, **common)
    out = consoles.out()
    if result.video is not None:
        out.print(f"video: {result.video}")
    out.print(f"frames: {result.frames_dir} ({result.frames} frames)")
    return result
