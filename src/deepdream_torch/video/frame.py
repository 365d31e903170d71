"""The values that flow through the video pipeline: one frame, its motion, and the range of frames a run covers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.flow import JITTER_SEEDS


def frame_seeds(seed: int, numbers: Sequence[int], mode: str = "frame") -> list[int]:
    """The jitter seed of each frame ``numbers`` under ``mode`` (``flow.JITTER_SEEDS``)."""
    if mode not in JITTER_SEEDS:
        raise VideoError(f"jitter seed {mode!r} is not one of {', '.join(JITTER_SEEDS)}: give one of them")
    return [seed + n if mode == "frame" else seed for n in numbers]


@dataclass(frozen=True)
class Motion:
    """How frame t came from frame t−1: where to sample t−1 for each pixel of t, and how far to trust it.

    ``sample_at`` (H, W, 2) float32 holds x + w(x) and y + w(y); ``mask`` (H, W) float32 is 1 where the warped
    previous frame can be trusted, 0 where it cannot (disoccluded, inconsistent, a motion boundary). Computed by
    ``video/motion.py``.
    """

    sample_at: np.ndarray
    mask: np.ndarray


@dataclass(frozen=True)
class Frame:
    """Frame ``number`` (1-based, the source's numbering) as (H, W, 3) uint8 RGB.

    ``pts`` and ``duration`` are in the source video's time base (None for frames read from a folder); the
    encoder keeps them, so variable-frame-rate videos stay in sync with their audio. ``motion``: how the frame
    came from the source frame before it (``motion.with_motion`` fills it in on the reading thread for ``--flow``).
    """

    number: int
    image: np.ndarray
    pts: int | None = None
    duration: int | None = None
    motion: Motion | None = None


@dataclass(frozen=True)
class FrameRange:
    """Frames ``start`` to ``end``, 1-based and inclusive; ``end=None`` runs to the last frame."""

    start: int = 1
    end: int | None = None

    def __post_init__(self) -> None:
        if self.start < 1:
            raise VideoError(
                f"start frame {self.start} is before the first frame: frames are numbered from 1"
            )
        if self.end is not None and self.end < self.start:
            raise VideoError(f"end frame {self.end} is before start frame {self.start}: swap them")

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and number >= self.start and (self.end is None or number <= self.end)

    def count(self, available: int) -> int:
        """How many of frames 1..``available`` fall in the range."""
        last = available if self.end is None else min(self.end, available)
        return max(0, last - self.start + 1)


ALL_FRAMES = FrameRange()
