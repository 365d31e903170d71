"""How much of the next source frame goes into each dream: a fixed number, ``loop`` or ``random``.

Frame n (n > first) is dreamed from ``dream(n - 1) * (1 - b) + source(n) * b``: b = 1 dreams every frame
on its own, smaller b carries more of the previous dream forward. The original blended the frame it had just
dreamed instead of the next one (so the video lagged a frame and never used the last source frame); this
does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from deepdream_torch.video.errors import VideoError

# `loop` walks 0.5, 0.6, ..., 0.9 and back down in tenths, as the original's loop; counted in whole tenths so
# that float drift cannot skip or repeat a step. It turns before 1.0 so that some dream always carries over.
_LOOP_TENTHS = (5, 6, 7, 8, 9, 8, 7, 6)
RANDOM_LOW, RANDOM_HIGH = 0.5, 1.0


@dataclass(frozen=True)
class Blend:
    """A blend schedule; ``weight(n)`` is the b used for frame n."""

    kind: Literal["fixed", "loop", "random"] = "fixed"
    value: float = 0.5
    seed: int = 0

    def weight(self, number: int) -> float:
        """b for frame ``number`` (1-based), the share of source frame ``number`` in its dream's input.

        Keyed by frame number, not by position in a run, so that a resumed run continues the same sequence.
        ``loop`` starts its walk at frame 2, the first frame that can be blended.
        """
        if self.kind == "loop":
            return _LOOP_TENTHS[(number - 2) % len(_LOOP_TENTHS)] / 10
        if self.kind == "random":
            # One generator per frame, seeded by (seed, frame): the same b for a frame in every run.
            return float(np.random.default_rng([self.seed, number]).uniform(RANDOM_LOW, RANDOM_HIGH))
        return self.value

    @property
    def independent(self) -> bool:
        """True when no frame takes anything from the previous dream, so frames can be dreamed in batches."""
        return self.kind == "fixed" and self.value >= 1.0


DEFAULT_BLEND = Blend()  # 0.5, the original's default


def parse_blend(text: str | float, seed: int = 0) -> Blend:
    """The schedule ``--blend`` names: a number from 0 to 1, ``loop`` or ``random`` (drawn with ``seed``)."""
    if isinstance(text, str) and text.strip().lower() in ("loop", "random"):
        return Blend(kind=text.strip().lower(), seed=seed)  # type: ignore[arg-type]
    try:
        value = float(text)
    except ValueError:
        raise VideoError(f"blend {text!r} is not a number from 0 to 1, 'loop' or 'random'") from None
    if not 0.0 <= value <= 1.0:
        raise VideoError(f"blend {value} is outside 0..1: give a number from 0 to 1, 'loop' or 'random'")
    return Blend(kind="fixed", value=value)


def blend_frames(previous_dream: np.ndarray, new_frame: np.ndarray, b: float) -> np.ndarray:
    """``previous_dream * (1 - b) + new_frame * b``, rounded back to uint8 for the dreamer."""
    mixed = previous_dream.astype(np.float32) * np.float32(1.0 - b) + new_frame.astype(
        np.float32
    ) * np.float32(b)
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)
