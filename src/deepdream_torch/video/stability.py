"""How steady a dreamed video is: its warping error E_warp beside the source footage's own.

E_warp (Lai et al., 2018, "Learning Blind Video Temporal Consistency") is the mean over frames of
Σ M‖O_t − warp(O_{t−1})‖² / Σ M, with the motion and its non-occlusion mask M computed once, on the *source*
frames: what the footage itself moves, not what the dream invents. Footage is never perfectly steady either
(noise, compression, lighting), so the figure a user can read is the ratio to the source's own E_warp: 1 is as
steady as the footage, and a plain DeepDream video is many times that.

``Steadiness`` gathers it during a run without decoding anything again: the reading thread adds each source frame
with its motion, the saving thread each dreamed frame.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from deepdream_torch.video.flow import Flow
from deepdream_torch.video.frame import Frame, Motion
from deepdream_torch.video.motion import follows, frame_motion, warp


def warping_error(before: np.ndarray, now: np.ndarray, motion: Motion) -> float | None:
    """Σ M‖now − warp(before)‖² / Σ M over (H, W, 3) frames (0..255 units), M the motion's mask; None where the
    mask trusts nothing (a scene cut): that pair says nothing about steadiness."""
    weight = motion.mask
    total = float(weight.sum())
    if total < 1.0:
        return None
    moved = warp(before.astype(np.float32), motion.sample_at)
    squared = np.square(now.astype(np.float32) - moved).sum(axis=2)
    return float((squared * weight).sum() / total)


@dataclass
class Steadiness:
    """E_warp of a run's source and of its dream, pair by pair as the frames go by (two threads may add)."""

    source: list[float] = field(default_factory=list)
    dream: list[float] = field(default_factory=list)
    _motions: dict[int, Motion] = field(default_factory=dict)
    _previous_source: np.ndarray | None = None
    _previous_dream: tuple[int, np.ndarray] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sources(self, frames: Iterable[Frame], flow: Flow) -> Iterator[Frame]:
        """``frames`` passed through, each one's source E_warp added on the way, with its ``motion`` when it has
        one (``motion.with_motion``) and else by ``flow``; meant for the reading thread. Frames too small for the
        flow are not measured."""
        for frame in frames:
            motion = frame.motion
            previous = self._previous_source
            if motion is None and previous is not None and follows(flow, frame.image):
                motion = frame_motion(previous, frame.image, flow)
            if motion is not None and previous is not None:
                error = warping_error(previous, frame.image, motion)
                with self._lock:
                    if error is not None:
                        self.source.append(error)
                        self._motions[frame.number] = motion
            self._previous_source = frame.image
            yield frame

    def dreamed(self, number: int, image: np.ndarray) -> None:
        """Frame ``number`` as dreamed (in order); adds its E_warp against the dreamed frame before it."""
        with self._lock:
            motion = self._motions.pop(number, None)
        before = self._previous_dream
        if motion is not None and before is not None and before[0] == number - 1:
            error = warping_error(before[1], image, motion)
            if error is not None:
                with self._lock:
                    self.dream.append(error)
        self._previous_dream = (number, image)

    def ratio(self) -> float | None:
        """The dream's mean E_warp ÷ the source's, or None before two frames were measured."""
        with self._lock:
            if not self.dream or not self.source:
                return None
            source = float(np.mean(self.source))
            return float(np.mean(self.dream)) / source if source > 0 else None

    def describe(self) -> str | None:
        ratio = self.ratio()
        if ratio is None:
            return None
        with self._lock:
            dream, source = float(np.mean(self.dream)), float(np.mean(self.source))
        return (
            f"steadiness: warping error {dream:.1f}, {ratio:.2f} x the source footage's {source:.1f}"
            " (1 is as steady as the footage; lower is steadier)"
        )
