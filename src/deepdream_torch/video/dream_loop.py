"""The hot loop of the video modes: each frame blended with the previous dream (along the motion with
``--flow``), dreamed, passed on."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from deepdream_torch.dreaming.layers import layer_for_frame
from deepdream_torch.dreaming.pull import Pull
from deepdream_torch.video.blend import blend_frames
from deepdream_torch.video.carry import carried_input, temporal_pull, warped_dream
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.flow import Flow
from deepdream_torch.video.frame import Frame
from deepdream_torch.video.motion import frame_motion
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.progress import FrameDone, VideoProgress


class Dreamer(Protocol):
    """What the video modes dream with (``runner.DreamRecipe.dreamer`` builds it): frames (N, H, W, 3) uint8 RGB,
    one layer name per frame and the frames' 1-based numbers in (a dreamer seeds each frame by its number, so a
    frame dreams the same in a resumed run), the dreamed frames (same shape and dtype) out. A frame carried along
    the motion with a temporal pull is also given ``pulls=[dreaming.pull.Pull]``, one per frame."""

    def __call__(
        self,
        frames: np.ndarray,
        layers: Sequence[str],
        numbers: Sequence[int],
        *,
        pulls: Sequence[Pull | None] | None = None,
    ) -> np.ndarray: ...


@dataclass(frozen=True)
class Dreamed:
    """``frame`` with its dreamed image; ``reused`` when an earlier run finished it (not dreamed now)."""

    frame: Frame
    reused: bool


def dream_sequence(
    source: Iterable[Frame],
    dreamer: Dreamer,
    layers: Sequence[str],
    options: FrameOptions,
    *,
    finished: Callable[[int], np.ndarray | None],
    stop: threading.Event,
    progress: VideoProgress,
    total: int,
) -> Iterator[Dreamed]:
    """The dreamed frames of ``source``, in order.

    The first frame is dreamed as it is; frame n after it from ``blend_frames(dream(n - 1), source(n), b)``.
    ``finished(n)`` gives the image of frame n when an earlier run dreamed it: that image is reused and is the
    blend source of the next frame. With ``flow`` on, frame n is dreamed from ``carry.carried_input(dream(n - 1)
    warped along the motion, source(n), motion, b)`` instead: the frame's ``motion`` as the reading thread computed it,
    or computed here when it did not; with ``flow.temporal`` above 0 (or ``flow.refine``) the dreamer is also
    given ``pulls=[carry.temporal_pull(...)]``, so that every ascent step stays near the warped previous dream.
    All the state is the previous source frame and its dream, so a run that starts (or resumes) anywhere
    continues exactly as one that got there. When ``blend`` takes nothing from the
    previous dream, up to ``batch_size`` frames go to the dreamer in one call (and ``flow`` has nothing to do).
    Stops between dreamer calls once ``stop`` is set; frames not yet handed to the dreamer are dropped.
    ``options`` give the ``blend``, ``flow`` and ``batch_size`` (``FrameOptions``).
    """
    blend, flow, batch_size = options.blend, options.flow, options.batch_size
    previous: np.ndarray | None = None
    previous_source: np.ndarray | None = None
    waiting: list[Frame] = []
    done = 0
    for frame in source:
        if stop.is_set():
            return
        image = finished(frame.number)
        if image is not None:
            previous, previous_source = image, frame.image
            done += 1
            yield Dreamed(replace(frame, image=image), reused=True)
            continue
        if blend.independent:
            waiting.append(frame)
            if len(waiting) >= batch_size:
                for dreamed in _dream(dreamer, layers, waiting, [None] * len(waiting), done, total, progress):
                    done += 1
                    yield dreamed
                waiting = []
            continue
        b = pull = None
        mixed = replace(frame, motion=None)  # the motion arrays go no further than here
        if previous is not None and previous_source is not None:
            b = blend.weight(frame.number)
            image, pull = _carried(previous, previous_source, frame, b, flow)
            mixed = replace(mixed, image=image)
        (dreamed,) = _dream(dreamer, layers, [mixed], [b], done, total, progress, pull)
        previous, previous_source = dreamed.frame.image, frame.image
        done += 1
        yield dreamed
    if waiting and not stop.is_set():
        yield from _dream(dreamer, layers, waiting, [None] * len(waiting), done, total, progress)


def _carried(
    previous: np.ndarray, previous_source: np.ndarray, frame: Frame, b: float, flow: Flow
) -> tuple[np.ndarray, Pull | None]:
    """The input of ``frame`` made from the previous dream (blended in, or carried along the motion with
    ``flow``), and the temporal pull towards the warped previous dream when the flow steers (pulls or refines)."""
    if flow.off:
        return blend_frames(previous, frame.image, b), None
    motion = frame.motion or frame_motion(previous_source, frame.image, flow)
    warped = warped_dream(previous, motion, sharp=flow.steers)
    image = carried_input(warped, frame.image, motion, b)
    return image, temporal_pull(warped, motion, flow, start=image) if flow.steers else None


def _dream(
    dreamer: Dreamer,
    layers: Sequence[str],
    inputs: list[Frame],
    blends: list[float | None],
    done: int,
    total: int,
    progress: VideoProgress,
    pull: Pull | None = None,
) -> list[Dreamed]:
    names = [layer_for_frame(layers, frame.number) for frame in inputs]
    batch = np.stack([frame.image for frame in inputs])
    numbers = [frame.number for frame in inputs]
    began = time.perf_counter()
    # Only a pulled frame passes ``pulls``: a dreamer written before the temporal term still works without it.
    result = np.asarray(dreamer(batch, names, numbers) if pull is None else dreamer(batch, names, numbers, pulls=[pull]))
    seconds = (time.perf_counter() - began) / len(inputs)
    if result.shape != batch.shape or result.dtype != np.uint8:
        raise VideoError(
            f"the dreamer returned {result.dtype} {result.shape} for frames {batch.shape}: "
            "it must return uint8 frames of the shape it was given"
        )
    out = []
    for index, (frame, name, b) in enumerate(zip(inputs, names, blends, strict=True)):
        progress.frame(FrameDone(frame.number, done + index + 1, total, seconds, name, b))
        out.append(Dreamed(replace(frame, image=result[index]), reused=False))
    return out
