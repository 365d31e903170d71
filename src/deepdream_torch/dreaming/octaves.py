"""Octave sizes and the resize between octaves."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def octave_sizes(height: int, width: int, octaves: int, octave_scale: float) -> list[tuple[int, int]]:
    """(height, width) of each octave, the full size first; each is the previous one divided by the scale and
    rounded, as the original's chain of ``scipy.ndimage.zoom`` calls sized them."""
    sizes = [(height, width)]
    for _ in range(octaves - 1):
        h, w = sizes[-1]
        sizes.append((max(1, round(h / octave_scale)), max(1, round(w / octave_scale))))
    return sizes


def usable_octaves(sizes: list[tuple[int, int]], min_side: int) -> int:
    """How many of ``sizes`` (largest first) are at least ``min_side`` on both sides."""
    return sum(1 for h, w in sizes if min(h, w) >= min_side)


def resize(x: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """Bilinear resize of (N, C, H, W) to ``size``. Corners map to corners, as in ``scipy.ndimage.zoom(order=1)``
    that the original used, and without antialiasing, which it did not have either."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode="bilinear", align_corners=True)
