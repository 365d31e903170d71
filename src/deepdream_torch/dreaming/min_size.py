"""The smallest picture a net can take down to a blob, found by trying, and remembered per (net, blob)."""

from __future__ import annotations

import weakref

import torch

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.errors import DeepDreamError

_LARGEST_TRIED = 4096
_known: weakref.WeakKeyDictionary[object, dict[str, int]] = weakref.WeakKeyDictionary()


def min_side(net: torch.nn.Module, layer: str) -> int:
    """The smallest square side (pixels) whose forward reaches ``layer`` with a non-empty blob.

    Trying beats computing it from the prototxt: it holds for any layer type the converters will ever add. Output
    size grows with input size in conv/pool nets, so a doubling search then a bisection finds it in about
    2*log2(side) small forwards, once per (net, layer).
    """
    per_net = _known.setdefault(net, {})
    if layer not in per_net:
        per_net[layer] = _search(net, layer)
    return per_net[layer]


def _search(net: torch.nn.Module, layer: str) -> int:
    net.check_blob(layer)  # an unknown name must fail loudly here, not look like "too small" below
    high = 1
    while not _reaches(net, layer, high):
        if high >= _LARGEST_TRIED:
            raise DreamError(f"the net cannot reach layer {layer!r} even from a {high}x{high} picture")
        high *= 2
    low = high // 2  # fails (or is 0)
    while high - low > 1:
        middle = (low + high) // 2
        if _reaches(net, layer, middle):
            high = middle
        else:
            low = middle
    return high


def _reaches(net: torch.nn.Module, layer: str, side: int) -> bool:
    shape = getattr(net, "input_shape", None)
    channels = shape[1] if shape else 3
    parameter = next(net.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    probe = torch.zeros(1, channels, side, side, device=device)
    try:
        with torch.no_grad():
            blob = net(probe, outputs=[layer])[layer]
    except (RuntimeError, ValueError, DeepDreamError):
        # What torch (or the net's own size check) raises when a kernel or pooling window no longer fits: exactly
        # the answer we look for.
        return False
    return blob.numel() > 0 and all(size > 0 for size in blob.shape[2:])
