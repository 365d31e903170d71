"""Zoom animation from a still: dream the picture, zoom/rotate/pan the result a little, dream again, N times.

It lives in ``picture/`` because it starts from one picture and is asked for with ``-sp``; a new room for one
loop would be a room too many. The frames are a video's, so it borrows the video package's frame files
(atomic writes, resume after the last finished frame), its encoder and its Ctrl-C handling rather than
growing its own: a zoom run stops, resumes and restarts exactly as mode 0 does.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch

from deepdream_torch.dreaming.device import resolve_device
from deepdream_torch.dreaming.dream import check_layer, dream_batch
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.layers import layer_for_frame
from deepdream_torch.dreaming.objectives import Objective
from deepdream_torch.dreaming.pixels import Picture, as_rgb_array
from deepdream_torch.dreaming.settings import DEFAULT_RUNTIME, DEFAULT_SETTINGS, DreamSettings, Runtime
from deepdream_torch.dreaming.transform import zoom_rotate_pan
from deepdream_torch.video.checkpoint import FramesCheckpoint
from deepdream_torch.video.encode import open_writer
from deepdream_torch.video.errors import VideoInterrupted
from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.images import read_image, write_image
from deepdream_torch.video.lock import output_lock
from deepdream_torch.video.paths import check_image_type, dream_frame_path, partial_video_path
from deepdream_torch.video.progress import NO_PROGRESS, FrameDone, Progress
from deepdream_torch.video.result import RunResult
from deepdream_torch.video.signals import stop_on_signals


@dataclass(frozen=True)
class Camera:
    """The move between two frames: ``zoom`` (>1 zooms in), ``rotate`` degrees counter-clockwise, ``pan``
    (dx, dy) pixels right and down."""

    zoom: float = 1.05
    rotate: float = 0.0
    pan: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        # An infinite zoom samples one point for every pixel and a NaN blackens the frame: never meant.
        if not all(math.isfinite(value) for value in (self.zoom, self.rotate, *self.pan)):
            raise DreamError(
                f"the camera move needs finite numbers (got zoom {self.zoom}, rotate {self.rotate},"
                f" pan {self.pan})"
            )
        if not self.zoom > 0:
            raise DreamError(f"zoom must be greater than 0 (got {self.zoom}); 1.05 zooms in 5% per frame")

    @property
    def still(self) -> bool:
        return self.zoom == 1 and self.rotate == 0 and self.pan == (0.0, 0.0)


def move(picture: np.ndarray, camera: Camera, device: torch.device) -> np.ndarray:
    """``picture`` (H, W, 3 uint8 RGB) after one camera move, resampled on ``device``."""
    if camera.still:
        return picture
    host = np.require(picture, requirements=["C_CONTIGUOUS", "WRITEABLE"])  # what from_numpy takes
    x = torch.from_numpy(host).to(device).permute(2, 0, 1)[None].float()
    moved = zoom_rotate_pan(x, camera.zoom, camera.rotate, camera.pan)
    return moved[0].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8).cpu().numpy()


def dream_zoom(
    picture: Picture,
    net: torch.nn.Module,
    frames_dir: str | Path,
    video_out: str | Path,
    frames: int,
    layers: Sequence[str],
    camera: Camera = Camera(),
    *,
    settings: DreamSettings | None = None,
    guide: Picture | None = None,
    objective_for: Callable[[str], Objective] | None = None,
    seed: int = 0,
    fps: int = 24,
    image_type: str = "jpg",
    crf: int | None = None,
    restart: bool = False,
    frame_settings: Mapping[str, object] | None = None,
    progress: Progress = NO_PROGRESS,
    runtime: Runtime = DEFAULT_RUNTIME,
) -> RunResult:
    """Dream ``frames`` frames into ``frames_dir`` (``dream_frame_%08d.<image_type>``) and encode them as
    ``video_out`` (H.264 at ``fps``).

    Frame 1 is the dream of ``picture``; frame n the dream of frame n - 1 after one ``camera`` move. Frame n
    dreams ``layer_for_frame(layers, n)`` (``objective_for(layer)`` when given, e.g. a channel objective) with
    seed ``seed + n``, so a resumed run dreams every frame as an uninterrupted one would (from the saved jpg of
    the frame before, where an uninterrupted run used it before compression). A rerun continues after the last
    finished frame; ``restart`` dreams them all again. Ctrl-C or SIGTERM stop after the frame in flight:
    the frames stay, the video so far is the playable ``<name>.partial.mp4``, and VideoInterrupted says how
    to go on. ``frame_settings`` (JSON-able, everything that shapes a frame) is recorded beside the frames as the
    video modes record theirs: a rerun with other settings is refused (``restart`` replaces the old frames), and
    a second run on the same folder at the same time is refused by its lock.
    """
    if frames < 1:
        raise DreamError(f"zoom frames must be at least 1 (got {frames})")
    if not layers:
        raise DreamError("no layers to dream: give at least one")
    if fps < 1:
        raise DreamError(f"frames per second must be at least 1 (got {fps})")
    image_type = check_image_type(image_type)
    settings = settings or DEFAULT_SETTINGS
    original = as_rgb_array(picture)
    guide = None if guide is None else as_rgb_array(guide)  # read once, not once per frame
    for layer in dict.fromkeys(layers):
        check_layer(net, layer)
    frames_dir, video_out = Path(frames_dir), Path(video_out)
    frames_dir.mkdir(parents=True, exist_ok=True)
    video_out.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_video_path(video_out)
    with output_lock(frames_dir, partial, log=lambda line: progress.log(1, line)):
        return _zoom(
            original, net, frames_dir, video_out, partial, frames, layers, camera, settings, guide, objective_for,
            seed, fps, image_type, crf, restart, frame_settings, progress, runtime,
        )  # fmt: skip


def _zoom(
    original: np.ndarray,
    net: torch.nn.Module,
    frames_dir: Path,
    video_out: Path,
    partial: Path,
    frames: int,
    layers: Sequence[str],
    camera: Camera,
    settings: DreamSettings,
    guide: np.ndarray | None,
    objective_for: Callable[[str], Objective] | None,
    seed: int,
    fps: int,
    image_type: str,
    crf: int | None,
    restart: bool,
    frame_settings: Mapping[str, object] | None,
    progress: Progress,
    runtime: Runtime,
) -> RunResult:
    checkpoint = FramesCheckpoint.open(frames_dir, image_type, FrameRange(1, frames), frames, frame_settings, restart)
    last = checkpoint.finished_until()
    checkpoint.begin(last, progress, last=last)
    progress.start("zooming", frames, last)
    target = resolve_device(runtime.device)
    objectives = {layer: objective_for(layer) for layer in dict.fromkeys(layers)} if objective_for else None
    rate = Fraction(fps)
    done = 0
    with stop_on_signals() as stop, open_writer(partial, time_base=1 / rate, frame_rate=rate, crf=crf) as writer:
        previous: np.ndarray | None = None
        for number in range(1, frames + 1):
            path = dream_frame_path(frames_dir, number, image_type)
            if number <= last:
                previous = read_image(path)
            else:
                if stop.is_set():
                    break
                layer = layer_for_frame(layers, number)
                source = original if previous is None else move(previous, camera, target)
                began = time.perf_counter()
                previous = dream_batch(
                    source[None], net, [layer], settings, runtime, guide=guide, seed=seed + number,
                    objectives=None if objectives is None else [objectives[layer]],
                )[0]  # fmt: skip
                write_image(path, previous)
                progress.frame(FrameDone(number, number, frames, time.perf_counter() - began, layer))
            writer.write(previous)
            done = number
    checkpoint.close(done, done == frames)
    if done < frames:
        if done == 0:
            partial.unlink(missing_ok=True)
        hint = checkpoint.hint(done, done + 1)
        raise VideoInterrupted(f"interrupted: {hint}; the video so far is {partial}", done, partial)
    os.replace(partial, video_out)
    progress.log(1, f"wrote {video_out} ({frames} frames at {fps} frames/s)")
    return RunResult(frames_dir, frames, dreamed=frames - last, reused=last, video=video_out)
