"""Objectives: small named values the dream loop ascends, composable like lucid's (``l2(a) + 0.5 * l2(b)``).

An objective reads the blobs it names and returns one number for the items it is given. That number must be a
sum of per-item terms: then each item's gradient depends on that item alone, which is what lets the loop batch
independent items and still give each the result it would get on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import torch

from deepdream_torch.dreaming.errors import DreamError

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


def channels(layer: str, chosen: Iterable[int], rest_weight: float = 0.0) -> Objective:
    """Like ``l2(layer)`` on the ``chosen`` channels only; every other channel counts ``rest_weight`` times.

    With ``rest_weight=0`` the gradient outside the chosen channels is exactly zero, so the dream grows what
    those feature maps see and nothing else. A channel number past the blob's channel count raises DreamError
    naming the count (``check_channels`` says it before a run).
    """
    picked = tuple(sorted({int(c) for c in chosen}))
    if not picked:
        raise DreamError(f"no channels given for {layer}: name at least one (e.g. 12,40-45)")
    if picked[0] < 0:
        raise DreamError(f"channel {picked[0]} of {layer} is negative: channels are numbered from 0")
    weights: dict[tuple[int, torch.device], torch.Tensor] = {}

    def score(blobs: Blobs) -> torch.Tensor:
        blob = blobs[layer].float()
        count = blob.shape[1]
        key = (count, blob.device)
        if key not in weights:
            check_channels(layer, picked, count)
            weight = torch.full((count,), float(rest_weight), device=blob.device)
            weight[list(picked)] = 1.0
            weights[key] = weight.view(1, count, *([1] * (blob.dim() - 2)))
        return 0.5 * (weights[key] * blob.square()).sum()

    shown = ",".join(str(c) for c in picked) if len(picked) <= 6 else f"{len(picked)} channels"
    rest = f", rest {rest_weight:g}" if rest_weight else ""
    return Objective(f"channels({layer}: {shown}{rest})", (layer,), score)


def check_channels(layer: str, chosen: Iterable[int], count: int) -> None:
    """DreamError when a channel of ``chosen`` is not among the ``count`` channels of blob ``layer``."""
    outside = [c for c in chosen if not 0 <= c < count]
    if outside:
        raise DreamError(
            f"channel {outside[0]} is out of range for {layer}: it has {count} channels (0 to {count - 1})"
        )


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
