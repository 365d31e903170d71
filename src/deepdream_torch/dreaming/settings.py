"""The numbers that shape a dream, checked once where a user hands them in."""

from __future__ import annotations

from dataclasses import dataclass

from deepdream_torch.dreaming.errors import DreamError

IMAGENET_MEAN = (104.0, 117.0, 123.0)  # B, G, R: the mean the BVLC models were trained with


@dataclass(frozen=True)
class DreamSettings:
    """The original tool's knobs, with its defaults."""

    octaves: int = 4
    octave_scale: float = 1.4
    iterations: int = 10
    jitter: int = 32
    step_size: float = 1.5
    mean: tuple[float, float, float] = IMAGENET_MEAN

    def __post_init__(self) -> None:
        if self.octaves < 1:
            raise DreamError(f"octaves must be at least 1 (got {self.octaves})")
        if not self.octave_scale > 1:
            raise DreamError(f"octave scale must be greater than 1 (got {self.octave_scale})")
        if self.iterations < 1:
            raise DreamError(f"iterations must be at least 1 (got {self.iterations})")
        if not self.step_size > 0:
            raise DreamError(f"step size must be greater than 0 (got {self.step_size})")
        if self.jitter < 0:
            raise DreamError(f"jitter must be 0 or more pixels (got {self.jitter})")
        if len(self.mean) != 3:
            raise DreamError(f"mean needs three values, B G R (got {self.mean!r})")
        object.__setattr__(self, "mean", tuple(float(m) for m in self.mean))
