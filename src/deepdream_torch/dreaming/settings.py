"""The numbers that shape a dream, checked once where a user hands them in."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

from deepdream_torch.dreaming.errors import DreamError

IMAGENET_MEAN = (104.0, 117.0, 123.0)  # B, G, R: the mean the BVLC models were trained with

# Upper bounds, each from what a larger number breaks or wastes:
MAX_OCTAVES = 64  # even at a scale of 1.1, 64 octaves shrink 10000 px to 25 px: more only repeat tiny octaves
MAX_OCTAVE_SCALE = 10.0  # beyond it the second octave of a 4K picture is already smaller than any net's input
MAX_ITERATIONS = 1000  # the original's default is 10; 1000 steps per octave already takes hours per frame
MAX_JITTER = 10_000  # pixels; a shift wraps round the picture, so a larger one only risks overflowing the roll
MAX_STEP_SIZE = 255.0  # one step moving pixels by the whole 0..255 range: every step beyond saturates
# A pull (pull.py) moves each pixel this share of the way to its target every step: from none of it to all of it.
PULL_WEIGHT_RANGE = (0.0, 1.0)


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
        _whole("octaves", self.octaves, 1, MAX_OCTAVES)
        _number("octave scale", self.octave_scale)
        if not 1 < self.octave_scale <= MAX_OCTAVE_SCALE:
            raise DreamError(
                f"octave scale must be greater than 1 and at most {MAX_OCTAVE_SCALE:g} (got {self.octave_scale})"
            )
        _whole("iterations", self.iterations, 1, MAX_ITERATIONS)
        _number("step size", self.step_size)
        if not 0 < self.step_size <= MAX_STEP_SIZE:
            raise DreamError(
                f"step size must be greater than 0 and at most {MAX_STEP_SIZE:g} (got {self.step_size})"
            )
        _whole("jitter", self.jitter, 0, MAX_JITTER, unit=" pixels")
        if len(self.mean) != 3:
            raise DreamError(f"mean needs three values, B G R (got {self.mean!r})")
        for value in self.mean:
            if not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise DreamError(f"each value of the mean must be a finite number (got {self.mean!r})")
            if not 0 <= value <= 255:
                raise DreamError(f"each value of the mean must be within 0..255 (got {self.mean!r})")
        object.__setattr__(self, "mean", tuple(float(m) for m in self.mean))


Log = Callable[[int, str], None]  # (verbosity level, message): 1 = a line per picture, 2 = details
TileMode = str | int  # "auto", "off" or a tile side in pixels


@dataclass(frozen=True)
class Runtime:
    """Where and how a dream runs, apart from what it looks like: the ``device`` (auto, cpu, cuda, cuda:N), the
    arithmetic (``precision`` auto: the fastest that dreams as fp32 does here; fp32, bf16, fp16), the memory ``max_memory`` may use (bytes or text like "2GiB";
    None: a share of what is free) and how ``tile`` meets it, and where details are said (``log``)."""

    device: str = "auto"
    precision: str = "auto"
    tile: TileMode = "auto"
    max_memory: int | str | None = None
    log: Log | None = None
    # What was said through ``log`` already (the precision line): a video hands one runtime to every frame's dream.
    told: set[str] = field(default_factory=set, init=False, compare=False, repr=False)


def _whole(name: str, value: object, low: int, high: int, unit: str = "") -> None:
    below = "at least 1" if low == 1 else f"{low} or more{unit}"
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise DreamError(f"{name} must be a whole number, {below} (got {value!r})")
    if value < low:
        raise DreamError(f"{name} must be {below} (got {value})")
    if value > high:
        raise DreamError(f"{name} must be at most {high}{unit} (got {value})")


def _number(name: str, value: object) -> None:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise DreamError(f"{name} must be a finite number (got {value!r})")


DEFAULT_SETTINGS = DreamSettings()  # the original's knobs: every default of the CLI and the API is read from here
DEFAULT_RUNTIME = Runtime()
