"""Random jitter: each item draws its shifts from its own generator, so an item dreams the same in any batch."""

from __future__ import annotations

import numbers
import random
from collections.abc import Sequence

import torch


def item_generators(seed: int | Sequence[int] | None, count: int) -> list[random.Random]:
    """One generator per item: ``seed + i`` for an int seed, ``seed[i]`` for a list, fresh entropy for None."""
    if seed is None:
        return [random.Random() for _ in range(count)]
    if isinstance(seed, numbers.Integral):  # numpy integers too
        return [random.Random(int(seed) + i) for i in range(count)]
    seeds = list(seed)
    if len(seeds) != count:
        raise ValueError(f"{len(seeds)} seeds for {count} items")
    return [random.Random(s) for s in seeds]


def draw_shift(generator: random.Random, jitter: int) -> tuple[int, int]:
    """A (down, right) shift, each in [-jitter, jitter]. Drawn on the host from a Python generator: no tensor
    leaves the device for it."""
    right = generator.randint(-jitter, jitter)
    down = generator.randint(-jitter, jitter)
    return down, right


def roll_each(x: torch.Tensor, shifts: Sequence[tuple[int, int]]) -> torch.Tensor:
    """Roll each item of (N, C, H, W) by its own (down, right) shift, wrapping around the edges."""
    if len(set(shifts)) == 1:
        return torch.roll(x, shifts=shifts[0], dims=(2, 3))
    return torch.cat([torch.roll(x[i : i + 1], shifts=s, dims=(2, 3)) for i, s in enumerate(shifts)])
