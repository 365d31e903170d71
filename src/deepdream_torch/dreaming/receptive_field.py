"""How far a blob sees: its receptive field and stride in input pixels, found by probing, remembered per net.

A tile of a picture gives exactly the untiled gradient on its core when its margin of context covers the blob's
receptive field and its origin falls on the blob's grid (a multiple of the stride); ``tiles.py`` asks these two
numbers here.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import torch

from deepdream_torch.dreaming.dream_net import DreamNet
from deepdream_torch.dreaming.min_size import min_side

# Beyond this a blob sees (nearly) the whole picture, like an InnerProduct output: tiles cannot help it.
_WIDEST_PROBE = 8192
# Widths of the two stride probes differ by this: a multiple of every stride made of 2s, 3s and 5s up to 128.
_STRIDE_PROBE_STEP = 1920
_known: weakref.WeakKeyDictionary[object, dict[str, Reach]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Reach:
    """``size``: an upper bound (pixels) on the receptive field's side, a multiple of ``stride``, the distance
    between neighbouring blob units in input pixels. ``size`` None: the blob sees the whole picture."""

    size: int | None
    stride: int


def reach(net: DreamNet, layers: Iterable[str]) -> Reach:
    """The widest receptive field of ``layers`` and a stride that is a multiple of each one's."""
    found = [_reach(net, layer) for layer in dict.fromkeys(layers)]
    stride = math.lcm(*(r.stride for r in found))
    if any(r.size is None for r in found):
        return Reach(None, stride)
    return Reach(-(-max(r.size for r in found) // stride) * stride, stride)


def _reach(net: DreamNet, layer: str) -> Reach:
    per_net = _known.setdefault(net, {})
    if layer not in per_net:
        per_net[layer] = _probe(net, layer)
    return per_net[layer]


def _probe(net: DreamNet, layer: str) -> Reach:
    """A NaN column spreads to every blob unit that reads it, whatever the weights (NaN times 0 is NaN, the max
    of NaN is NaN): the count of tainted columns times the stride bounds the receptive field. A column, not a
    pixel, keeps the probe a thin strip. Nets are taken to see as far down as across."""
    height = max(64, min_side(net, layer))
    stride = _stride(net, layer, height)
    width = max(512, 2 * height)  # never narrower than the smallest picture the blob is reached from
    while width <= _WIDEST_PROBE:
        columns = _tainted_columns(net, layer, height, width)
        if columns is not None:
            return Reach((columns + 1) * stride, stride)
        width *= 2
    return Reach(None, stride)


def _stride(net: DreamNet, layer: str, height: int) -> int:
    """The stride from how much wider the blob gets for a wider picture; 1 when that is no whole number (the
    tiles then still work, only not bit for bit as one picture)."""
    narrow_width = max(256, height)  # ``height`` is at least the smallest side that reaches the blob
    narrow = _blob(net, layer, torch.zeros(1, 3, height, narrow_width)).shape[-1]
    wide = _blob(net, layer, torch.zeros(1, 3, height, narrow_width + _STRIDE_PROBE_STEP)).shape[-1]
    grown = wide - narrow
    return _STRIDE_PROBE_STEP // grown if grown > 0 and _STRIDE_PROBE_STEP % grown == 0 else 1


def _tainted_columns(net: DreamNet, layer: str, height: int, width: int) -> int | None:
    """How many blob columns a NaN input column in the middle reaches; None when it reaches an edge (the strip
    was too narrow to tell)."""
    probe = torch.zeros(1, 3, height, width)
    probe[..., width // 2] = float("nan")
    blob = _blob(net, layer, probe)
    tainted = torch.isnan(blob).any(dim=(0, 1, 2)).nonzero().flatten()
    if len(tainted) == 0:  # the blob does not read the picture at all
        return 0
    if tainted[0] == 0 or tainted[-1] == blob.shape[-1] - 1:
        return None
    return int(tainted[-1] - tainted[0]) + 1


def _blob(net: DreamNet, layer: str, probe: torch.Tensor) -> torch.Tensor:
    parameter = next(net.parameters(), None)
    if parameter is not None:
        probe = probe.to(parameter.device)
    with torch.no_grad():
        return net(probe, outputs=[layer])[layer].float()
