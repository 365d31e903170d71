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
from deepdream_torch.cli.flags import Checked, Flags
from deepdream_torch.cli.model import Model, console_log, layers_to_dream, load
from deepdream_torch.dreaming.device import resolve_device
from deepdream_torch.dreaming.dream import check_layer, dream_batch
from deepdream_torch.dreaming.layers import distinct
from deepdream_torch.dreaming.pull import Pull
from deepdream_torch.video import (
    RichProgress,
    assemble_video,
    dream_frames,
    dream_video,
    extract_frames,
    paths,
    rich_progress,
)
from deepdream_torch.video.frame import Dreamer, frame_seeds
from deepdream_torch.video.paths import check_image_type
from deepdream_torch.video.result import RunResult

# Frames dreamed together when the blend leaves them independent (-b 1): only worth it on a GPU.
CUDA_BATCH = 4


def make_dreamer(model: Model, flags: Flags, checked: Checked, bars: RichProgress) -> Dreamer:
    """The ``(frames, layers, numbers, pulls=None) -> frames`` callable the video modes dream with: the net and
    settings bound once; frame n's jitter is seeded by ``frame_seeds`` (``seed + n``, or ``seed`` for every frame
    with ``--jitter-seed fixed``), so it dreams the same whether or not the run was resumed."""

    objective = objective_for(flags, model.net, checked.layers)
    objectives = {layer: objective(layer) for layer in distinct(checked.layers)} if objective else None

    def dreamer(
        frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int], pulls: Sequence[Pull | None] | None = None
    ) -> np.ndarray:
        return dream_batch(
            frames, model.net, list(layers),
            octaves=checked.settings.octaves, octave_scale=checked.settings.octave_scale,
            iterations=checked.settings.iterations, jitter=checked.settings.jitter,
            step_size=checked.settings.step_size, guide=checked.guide, mean=model.mean,
            device=flags.device, seed=frame_seeds(flags.seed, numbers, checked.jitter_seed), precision=flags.precision,
            progress=bars.steps, log=bars.log, pulls=pulls,
            objectives=None if objectives is None else [objectives[layer] for layer in layers],
            tile=flags.tile, max_memory=flags.max_memory,
        )  # fmt: skip

    return dreamer


def frame_settings(flags: Flags, checked: Checked, model: Model) -> dict[str, object]:
    """Everything that shapes a dreamed frame, as the frames folder's manifest records it (``video.manifest``): a
    rerun resumes only when these match. A new setting that changes what a frame looks like adds its key here."""
    from deepdream_torch.weights.checksum import model_sha1

    settings, blend = checked.settings, checked.blend
    guide = checked.guide
    return {
        "model": model_sha1(model.files.caffemodel),
        "prototxt": hashlib.sha1(model.files.prototxt.read_bytes()).hexdigest(),
        "layers": list(checked.layers),
        "octaves": settings.octaves,
        "octave_scale": settings.octave_scale,
        "iterations": settings.iterations,
        "jitter": settings.jitter,
        "step_size": settings.step_size,
        "mean": [float(value) for value in model.mean],
        # The guide's pixels, not its path: the same picture moved is the same guide, an edited one is not.
        "guide": None if guide is None else pixels_sha1(guide),
        "blend": blend.value if blend.kind == "fixed" else blend.kind,
        "seed": flags.seed,
        "image_type": check_image_type(flags.image_type),
        "precision": flags.precision,
        # Only when given, so that folders dreamed before channel objectives existed still resume.
        **({"channels": flags.channels, "channels_weight": flags.channels_weight} if flags.channels else {}),
        # Likewise --flow only when on (the quality only where it changes the flow: DIS).
        **({"flow": checked.flow.method} if not checked.flow.off else {}),
        **({"flow_quality": checked.flow.quality} if checked.flow.method == "dis" else {}),
        # And the temporal pull, refining and the fixed jitter seed only when on: runs without them dream as before.
        **({"temporal": checked.flow.temporal} if checked.flow.temporal else {}),
        **({"refine_octaves": checked.flow.refine} if checked.flow.refine else {}),
        **({"jitter_seed": checked.jitter_seed} if checked.jitter_seed != "frame" else {}),
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
            video_out = paths.dream_video_path(name, guided)
            result = assemble_video(frames_out, video_out, source=source, crf=flags.crf, **common)
        else:
            assert model is not None
            on_gpu = resolve_device(flags.device).type == "cuda"
            run = {
                "blend": checked.blend,
                "batch_size": CUDA_BATCH if on_gpu and checked.blend.independent else 1,
                "restart": flags.restart,
                "frame_settings": frame_settings(flags, checked, model),
                "flow": checked.flow,
            }
            # -v 2 ends with the run's warping error beside the footage's (modes 0 and 2 in one process).
            steadiness = {"measure": flags.verbose >= 2}
            dreamer = make_dreamer(model, flags, checked, bars)
            if flags.ray is not None:
                from deepdream_torch.cli.ray_mode import run_on_ray

                video_out = paths.dream_video_path(name, guided)
                result = run_on_ray(flags, checked, model, run, frames_in, frames_out, video_out, bars)
            elif flags.mode == 0:
                video_out = paths.dream_video_path(name, guided)
                result = dream_video(
                    flags.extract, frames_out, video_out, dreamer, checked.layers, crf=flags.crf,
                    **run, **steadiness, **common,
                )  # fmt: skip
            else:
                result = dream_frames(frames_in, frames_out, dreamer, checked.layers, **run, **steadiness, **common)
    out = consoles.out()
    if result.video is not None:
        out.print(f"video: {result.video}")
    out.print(f"frames: {result.frames_dir} ({result.frames} frames)")
    return result
