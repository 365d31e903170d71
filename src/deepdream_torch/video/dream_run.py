"""What modes 0 and 2 share: resume after the finished frames, dream the rest on the main thread while another
thread reads frames and one saves them, stop cleanly on a signal; with ``frame_settings``, refuse to resume
frames dreamed with other settings (``manifest``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from deepdream_torch.video.background import Prefetch, Sink
from deepdream_torch.video.blend import Blend
from deepdream_torch.video.checkpoint import FramesCheckpoint
from deepdream_torch.video.dream_loop import Dreamed, dream_sequence
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.flow import NO_FLOW, Flow, with_motion
from deepdream_torch.video.frame import Dreamer, Frame, FrameRange
from deepdream_torch.video.images import read_image, write_image
from deepdream_torch.video.paths import dream_frame_path
from deepdream_torch.video.progress import Progress
from deepdream_torch.video.signals import Stop, stop_on_signals

# Frames queued on each side of the dreamer: enough to ride out a slow decode or a slow save, few enough that
# a 4K run holds well under a gigabyte.
QUEUE_FRAMES = 4


@dataclass(frozen=True)
class DreamOutcome:
    """How a dream run ended: ``dreamed`` now, ``reused`` from an earlier run, ``complete`` unless stopped, and
    the ``hint`` an interrupted run ends with (where things are, how to go on)."""

    dreamed: int
    reused: int
    complete: bool
    hint: str = ""

    @property
    def done(self) -> int:
        return self.dreamed + self.reused


def run_dream(
    source: Callable[[], Iterator[Frame]],
    frames_dir: Path,
    dreamer: Dreamer,
    layers: Sequence[str],
    *,
    blend: Blend,
    batch_size: int,
    frames: FrameRange,
    image_type: str,
    restart: bool,
    total: int,
    progress: Progress,
    also: Callable[[Dreamed], None] | None = None,
    frame_settings: Mapping[str, object] | None = None,
    flow: Flow = NO_FLOW,
) -> DreamOutcome:
    """Dream the frames ``source()`` yields into ``frames_dir`` (``dream_frame_%08d.<image_type>``).

    Frames finished by an earlier run are reused (``restart`` deletes them first). Each frame, reused or new,
    is also passed to ``also`` on the saving thread, in order (mode 0 encodes it there). With ``flow`` on, the
    reading thread also computes each frame's motion, so the dreamer never waits for the optical flow.

    ``frame_settings`` (a JSON-able mapping of everything that shapes a frame; None skips the check): frames
    dreamed with other settings are not resumed but refused with ``manifest.SettingsChanged``, or with
    ``restart`` all deleted; the settings and the outcome are recorded beside the frames. Hold
    ``lock.output_lock(frames_dir)`` around the call so that no other run writes the folder meanwhile.
    """
    if batch_size < 1:
        raise VideoError(f"batch size {batch_size} is less than 1: give 1 or more frames per dreamer call")
    checkpoint = FramesCheckpoint.open(frames_dir, image_type, frames, total, frame_settings, restart)
    last_finished = checkpoint.finished_until()
    already = last_finished - frames.start + 1
    checkpoint.begin(already, progress, last=last_finished)
    progress.start("dreaming", total, already)

    def finished(number: int) -> np.ndarray | None:
        return (
            read_image(dream_frame_path(frames_dir, number, image_type)) if number <= last_finished else None
        )

    def save(item: Dreamed) -> None:
        if not item.reused:
            write_image(dream_frame_path(frames_dir, item.frame.number, image_type), item.frame.image)
        if also is not None:
            also(item)

    dreamed = reused = 0
    ahead = QUEUE_FRAMES + batch_size

    def read() -> Iterator[Frame]:
        if flow.off or blend.independent:
            return source()
        return with_motion(source(), flow, first=last_finished + 1)

    with (
        stop_on_signals(lambda message: progress.log(1, message)) as stop,
        Prefetch(read, ahead, "read frames") as reader,
    ):
        try:
            with Sink(save, ahead, "save frames") as saver:
                for item in dream_sequence(
                    reader,
                    _interruptible(dreamer, stop),
                    layers,
                    blend,
                    finished=finished,
                    stop=stop,
                    progress=progress,
                    total=total,
                    batch_size=batch_size,
                    flow=flow,
                ):
                    saver.put(item)
                    reused += item.reused
                    dreamed += not item.reused
        except KeyboardInterrupt:
            stop.set()  # a second signal: the frame in flight is dropped, the ones dreamed are saved
        # Complete when the source ran out and no frame read was dropped (a stop can drop a waiting batch).
        complete = reader.exhausted and dreamed + reused == reader.handed
        outcome = DreamOutcome(
            dreamed, reused, complete, checkpoint.hint(dreamed + reused, frames.start + dreamed + reused)
        )
    checkpoint.close(outcome.done, outcome.complete)
    return outcome


def _interruptible(dreamer: Dreamer, stop: Stop) -> Dreamer:
    """``dreamer``, during which a second Ctrl-C drops the frame in flight (nowhere else: files stay whole)."""

    def dream(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
        with stop.interruptible():
            return dreamer(frames, layers, numbers)

    return dream
