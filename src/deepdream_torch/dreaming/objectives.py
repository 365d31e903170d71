"""Objectives: small named values the dream loop ascends, composable like lucid's (``l2(a) + 0.5 * l2(b)``).

An objective reads the blobs it names and returns one number for the items it is given. That number must be a
sum of per-item terms: then each item's gradient depends on that item alone, which is what lets the loop batch
independent items and still give each the result it would get on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch

Blobs = Mapping[str, torch.Tensor]

# Guided matching compares every position with every guide position; bounding one chunk of that table keeps a
# low layer (conv2 at 960x540: 32k x 32k dot products) from needing gigabytes at once.
_MATCH_CHUNK_ELEMENTS = 1 << 24


@dataclass(frozen=True, eq=False)
class Objective:
    """What to maximise: ``score(blobs)`` over the blobs in ``layers``."""

    name: str
    layers: tuple[str, ...]
    score: Callable[[Blobs], torch.Tensor]

    def __call__(self, blobs: Blobs) -> torch.Tensor:
        return self.score(blobs)

    def __add__(self, other: Objective) -> Objective:
        layers = tuple(dict.fromkeys(self.layers + other.layers))
        return Objective(f"{self.name} + {other.name}", layers, lambda blobs: self(blobs) + other(blobs))

    def __mul__(self, factor: float) -> Objective:
        return Objective(f"{factor:g} * {self.name}", self.layers, lambda blobs: factor * self(blobs))

    __rmul__ = __mul__

    def __neg__(self) -> Objective:
        return -1.0 * self

    def __sub__(self, other: Objective) -> Objective:
        return self + (-other)


def l2(layer: str) -> Objective:
    """Half the squared L2 norm of the blob: its gradient is the activation itself, the original's objective."""
    return Objective(f"l2({layer})", (layer,), lambda blobs: 0.5 * blobs[layer].float().square().sum())


def guided(layer: str, guide_blob: torch.Tensor) -> Objective:
    """Pull each activation vector towards the guide's feature vector it has the largest dot product with.

    ``guide_blob`` is the guide picture's (C, H, W) blob at ``layer``. The gradient at each position is that
    best-matching guide vector, as the original notebook's ``objective_guide`` set it.
    """
    guide = guide_blob.detach().float().flatten(1)  # (C, M)

    def score(blobs: Blobs) -> torch.Tensor:
        blob = blobs[layer].float()
        x = blob.flatten(2)  # (N, C, P)
        target = best_matches(x.detach(), guide)
        return (x * target).sum()

    return Objective(f"guided({layer})", (layer,), score)


def best_matches(x: torch.Tensor, guide: torch.Tensor) -> torch.Tensor:
    """For (N, C, P) vectors ``x`` and (C, M) ``guide``, the (N, C, P) guide vectors of largest dot product."""
    n, _, p = x.shape
    chunk = max(1, _MATCH_CHUNK_ELEMENTS // max(1, n * guide.shape[1]))
    picks = []
    for start in range(0, p, chunk):
        dots = torch.einsum("ncp,cm->npm", x[:, :, start : start + chunk], guide)
        picks.append(dots.argmax(dim=2))
    index = torch.cat(picks, dim=1)  # (N, P)
    return guide[:, index].permute(1, 0, 2)
