"""The zoom animation's loop: dream the picture, move the camera over the result, dream again, ``count`` times;
the frames folder, the partial video and the stop handled as every video run handles them."""

from __future__ import annotations

import time

import numpy as np

from deepdream_torch.dreaming.device import resolve_device
from deepdream_torch.dreaming.dream import check_layer
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.layers import layer_for_frame
from deepdream_torch.dreaming.pixels import as_rgb_array
from deepdream_torch.picture.zoom import move
from deepdream_torch.runner.runs import ZoomRun
from deepdream_torch.video.checkpoint import FramesCheckpoint
from deepdream_torch.video.dream_loop import Dreamer
from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.images import read_image, write_image
from deepdream_torch.video.lock import output_lock
from deepdream_torch.video.partial import PartialVideo
from deepdream_torch.video.paths import check_image_type, dream_frame_path
from deepdream_torch.video.progress import FrameDone, VideoProgress
from deepdream_torch.video.result import RunResult
from deepdream_torch.video.signals import Stop


def zoom(job: ZoomRun, dreamer: Dreamer, progress: VideoProgress, stop: Stop) -> RunResult:
    """Dream ``job.count`` frames into ``job.frames_dir`` (``dream_frame_%08d.<image_type>``) and encode them as
    ``job.video_out`` (H.264 at ``job.encoder.frame_rate``) with ``dreamer`` (the run's recipe bound to its net).

    Frame 1 is the dream of the picture; frame n the dream of frame n - 1 after one camera move, dreaming
    ``layer_for_frame(layers, n)`` seeded by its number, so a resumed run dreams every frame as an uninterrupted
    one would (from the saved frame before, where an uninterrupted run used it before compression). A rerun
    continues after the last finished frame; ``restart`` dreams them all again; ``record`` is kept and checked as
    a video run's. A stop ends it after the frame in flight: the frames stay, the video so far is the playable
    partial video, and VideoInterrupted says how to go on.
    """
    _check(job)
    image_type = check_image_type(job.image_type)
    original = as_rgb_array(job.picture)
    partial = PartialVideo(job.video_out)
    job.frames_dir.mkdir(parents=True, exist_ok=True)
    partial.video_out.parent.mkdir(parents=True, exist_ok=True)
    with output_lock(job.frames_dir, partial.path, log=lambda line: progress.log(1, line)):
        checkpoint = FramesCheckpoint.open(
            job.frames_dir, image_type, FrameRange(1, job.count), job.count, job.record, job.restart
        )
        last = checkpoint.finished_until()
        checkpoint.begin(last, progress, last=last)
        progress.start("zooming", job.count, last)
        rate = job.encoder.frame_rate
        with partial.open(time_base=1 / rate, frame_rate=rate, crf=job.encoder.crf) as writer:
            done = 0
            for number, image in _frames(job, dreamer, original, checkpoint, last, progress, stop):
                writer.write(image)
                done = number
        checkpoint.close(done, done == job.count)
        partial.close(done == job.count, done, checkpoint.hint(done, done + 1))
    progress.log(1, f"wrote {partial.video_out} ({job.count} frames at {rate} frames/s)")
    return RunResult(job.frames_dir, job.count, dreamed=job.count - last, reused=last, video=partial.video_out)


def _check(job: ZoomRun) -> None:
    if job.count < 1:
        raise DreamError(f"zoom frames must be at least 1 (got {job.count})")
    if not job.dreaming.layers:
        raise DreamError("no layers to dream: give at least one")
    if job.encoder.frame_rate < 1:
        raise DreamError(f"frames per second must be at least 1 (got {job.encoder.frame_rate})")
    for layer in dict.fromkeys(job.dreaming.layers):
        check_layer(job.dreaming.net, layer)


def _frames(job, dreamer, original, checkpoint, last, progress, stop):  # type: ignore[no-untyped-def]
    """Each frame in turn (number, image): read back up to ``last``, then dreamed until the end or a stop."""
    target = resolve_device(job.dreaming.recipe.runtime.device)
    previous: np.ndarray | None = None
    for number in range(1, job.count + 1):
        path = dream_frame_path(checkpoint.frames_dir, number, checkpoint.image_type)
        if number <= last:
            previous = read_image(path)
        else:
            if stop.is_set():
                return
            layer = layer_for_frame(job.dreaming.layers, number)
            source = original if previous is None else move(previous, job.camera, target)
            began = time.perf_counter()
            previous = dreamer(source[None], [layer], [number])[0]
            write_image(path, previous)
            progress.frame(FrameDone(number, number, job.count, time.perf_counter() - began, layer))
        yield number, previous
