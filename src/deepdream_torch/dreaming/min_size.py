"""The smallest picture a net can take down to a blob, and whether the blob takes one input size only: found by
trying sizes on placeholder ("meta") tensors, which costs microseconds, and remembered per (net, blob)."""

from __future__ import annotations

import copy
import weakref
from typing import Any

import torch

from deepdream_torch.dreaming.dream_net import DreamNet, SteppedNet
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.errors import DeepDreamError

_LARGEST_TRIED = 4096
_known: weakref.WeakKeyDictionary[object, dict[str, int]] = weakref.WeakKeyDictionary()
# Per net: a pass per tried (height, width), shared by all its blobs, and the net's placeholder twin.
_passes: weakref.WeakKeyDictionary[object, dict[tuple[int, int], _Pass | None]] = weakref.WeakKeyDictionary()
_twins: weakref.WeakKeyDictionary[object, SteppedNet] = weakref.WeakKeyDictionary()


def min_side(net: DreamNet, layer: str) -> int:
    """The smallest square side (pixels) whose forward reaches ``layer`` with a non-empty blob.

    Trying beats computing it from the prototxt: it holds for any layer type the converters will ever add. Output
    size grows with input size in conv/pool nets, so a doubling search then a bisection finds it in about
    2*log2(side) forwards, on meta tensors (shapes only), once per (net, layer).

    A blob behind a fully connected layer takes only the input size the net declares (the dream resizes the
    picture at every octave): DreamError at once, naming a blob that takes any size.
    """
    per_net = _known.setdefault(net, {})
    if layer not in per_net:
        per_net[layer] = _search(net, layer)
    return per_net[layer]


def _search(net: DreamNet, layer: str) -> int:
    net.check_blob(layer)  # an unknown name must fail loudly here, not look like "too small" below
    _refuse_fixed_size(net, layer)
    high = 1
    while not _reaches(net, layer, high, high):
        if high >= _LARGEST_TRIED:
            raise DreamError(f"the net cannot reach layer {layer!r} even from a {high}x{high} picture")
        high *= 2
    low = high // 2  # fails (or is 0)
    while high - low > 1:
        middle = (low + high) // 2
        if _reaches(net, layer, middle, middle):
            high = middle
        else:
            low = middle
    return high


def _refuse_fixed_size(net: DreamNet, layer: str) -> None:
    """A blob reached from the declared input size but not from twice that size counts its input pixels (an
    InnerProduct's weights do): no dream can resize a picture through it."""
    declared = _declared_size(net)
    if declared is None:
        return
    height, width = declared
    if not _reaches(net, layer, height, width) or _reaches(net, layer, 2 * height, 2 * width):
        return
    # Dropout's blob is its input again at dream time: name the blob it copies instead.
    copies = {step.layer for step in getattr(net, "steps", []) if step.type == "Dropout"}
    names = [name for name in getattr(net, "blob_names", []) if name not in copies]
    free = [name for name in names if _reaches(net, name, 2 * height, 2 * width)]
    such_as = f"; pick a convolutional blob such as {free[-1]!r}" if free else ""
    raise DreamError(
        f"{layer!r} needs exactly {width}x{height} input (a fully connected layer at or before it counts its "
        f"input pixels), and a dream resizes the picture at every octave{such_as}"
    )


def _declared_size(net: DreamNet) -> tuple[int, int] | None:
    shape = getattr(net, "input_shape", None)
    return (int(shape[2]), int(shape[3])) if shape is not None and len(shape) == 4 else None


def _reaches(net: DreamNet, layer: str, height: int, width: int) -> bool:
    """Does a ``height`` x ``width`` picture reach ``layer`` with a non-empty blob?"""
    per_net = _passes.setdefault(net, {})
    if (height, width) not in per_net:
        twin = _meta_twin(net)
        per_net[(height, width)] = _Pass(twin, height, width) if twin is not None else None
    probe = per_net[(height, width)]
    shape = probe.shape_of(layer) if probe is not None else _UNKNOWN
    if shape is _UNKNOWN:  # not a CaffeNet, or a layer with no meta kernel: try that blob for real
        return _reaches_for_real(net, layer, height, width)
    return shape is not None and all(size > 0 for size in shape)


_UNKNOWN = ()


class _Pass:
    """One forward of a ``height`` x ``width`` picture through a placeholder twin of the net (its parameters on
    the meta device: shapes without values, nothing computed or allocated), run only as deep as the blobs asked
    for so far and stopped at the first layer the picture is too small (or the wrong size) for."""

    def __init__(self, twin: Any, height: int, width: int) -> None:
        self._twin = twin
        first, *others = twin.input_names
        self._blobs = {first: torch.empty(1, twin.input_shape[1], height, width, device="meta")}
        self._blobs |= {name: torch.empty(twin.input_shapes[name], device="meta") for name in others}
        self._shapes = {name: tuple(blob.shape) for name, blob in self._blobs.items()}
        self._next = 0  # the next step to run; len(steps) once finished or stopped
        self._unknown = False

    def shape_of(self, blob: str) -> tuple[int, ...] | None:
        """The blob's shape, None where the picture does not reach it, ``_UNKNOWN`` where meta cannot tell."""
        steps = self._twin.steps
        while blob not in self._shapes and self._next < len(steps) and not self._unknown:
            step = steps[self._next]
            self._next += 1
            try:
                with torch.no_grad():
                    out = self._twin.module_of(step)(*(self._blobs[b] for b in step.bottoms))
            except NotImplementedError:  # an operation without a meta kernel
                self._unknown = True
                break
            except (RuntimeError, ValueError, IndexError, DeepDreamError):
                # What torch (or a layer's own size check) raises when a kernel, a pooling window or a fully
                # connected layer's input count no longer fits: exactly the answer we look for.
                self._next = len(steps)
                break
            tops = out if isinstance(out, tuple) else (out,)
            # A name is a layer's output, else the first output written under it (as CaffeNet reads names).
            self._shapes.setdefault(step.layer, tuple(tops[0].shape))
            for top, value in zip(step.tops, tops):
                self._shapes.setdefault(top, tuple(value.shape))
            self._blobs.update(zip(step.tops, tops))
        if blob in self._shapes:
            return self._shapes[blob]
        return _UNKNOWN if self._unknown else None


def _meta_twin(net: DreamNet) -> Any:
    if not isinstance(net, SteppedNet) or not (hasattr(net, "input_names") and hasattr(net, "input_shapes")):
        return None
    if net not in _twins:
        # A deep copy whose parameters are swapped for meta placeholders of the same shapes: no weight is copied.
        memo = {
            id(tensor): _placeholder(tensor) for tensor in [*net.parameters(), *net.buffers()]
        }
        _twins[net] = copy.deepcopy(net, memo)
    return _twins[net]


def _placeholder(tensor: torch.Tensor) -> torch.Tensor:
    meta = torch.empty_like(tensor, device="meta")
    return torch.nn.Parameter(meta, requires_grad=False) if isinstance(tensor, torch.nn.Parameter) else meta


def _reaches_for_real(net: DreamNet, layer: str, height: int, width: int) -> bool:
    shape = getattr(net, "input_shape", None)
    channels = shape[1] if shape else 3
    parameter = next(net.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    probe = torch.zeros(1, channels, height, width, device=device)
    try:
        with torch.no_grad():
            blob = net(probe, outputs=[layer])[layer]
    except (RuntimeError, ValueError, DeepDreamError):
        return False
    return blob.numel() > 0 and all(size > 0 for size in blob.shape[2:])
