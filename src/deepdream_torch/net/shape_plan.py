"""Every blob's shape and every layer's parameter shapes, found by running the net on meta tensors.

Nothing is computed: each layer is built with placeholder ("meta") parameters of the shapes its converter asks for
and run on placeholder inputs, so the plan costs microseconds even for VGG. The plan is how a caffemodel is checked
against its net (missing layers, wrong shapes) and how random test weights get their shapes.

A layer whose type has no converter does not stop the plan: it and every layer that reads what it writes are
*unconverted*, kept aside with the name and type of the layer that stops them, so the rest of the net (every blob
before them, and side branches that do not need them) still converts and dreams.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import NetSpec, Shape
from deepdream_torch.converters import converter_for, has_converter


@dataclass(frozen=True)
class Blocker:
    """The unconvertible layer that a layer (or blob) depends on."""

    layer: str
    type: str

    def __str__(self) -> str:
        return f"layer {self.layer!r} of type {self.type!r}"


@dataclass
class ShapePlan:
    input_shapes: dict[str, Shape]
    param_shapes: dict[str, list[Shape]]  # layer name → its parameter blobs' shapes, in Caffe's order
    top_shapes: list[list[Shape] | None]  # per layer (in forward order), each top's shape; None when unconverted
    blocked: dict[str, Blocker]  # unconverted layer name → the first unconvertible layer it depends on


def plan_shapes(spec: NetSpec, input_shapes: dict[str, Shape] | None = None) -> ShapePlan:
    shapes = _declared_input_shapes(spec, input_shapes or {})
    blobs: dict[str, torch.Tensor] = {name: torch.empty(shape, device="meta") for name, shape in shapes.items()}
    param_shapes: dict[str, list[Shape]] = {}
    top_shapes: list[list[Shape] | None] = []
    blocked: dict[str, Blocker] = {}
    blocked_blobs: dict[str, Blocker] = {}
    for layer in spec.layers:
        missing = [b for b in layer.bottoms if b not in blobs and b not in blocked_blobs]
        if missing:
            raise CaffeFormatError(
                f"layer {layer.name!r} reads blob {missing[0]!r}, which no earlier layer or input writes"
            )
        blocker = next((blocked_blobs[b] for b in layer.bottoms if b in blocked_blobs), None)
        if blocker is None and not has_converter(layer):
            blocker = Blocker(layer.name, layer.type)
        if blocker is not None:
            blocked[layer.name] = blocker
            param_shapes[layer.name] = []
            top_shapes.append(None)
            for top in layer.tops:
                blobs.pop(top, None)  # an unconverted layer writing in place spoils its blob for later readers
                blocked_blobs[top] = blocker
            continue
        converter = converter_for(layer)
        bottoms = [blobs[b] for b in layer.bottoms]
        try:
            params = converter.param_shapes(layer, [tuple(b.shape) for b in bottoms])
            module = converter.build(layer, [torch.empty(s, device="meta") for s in params])
            out = module(*bottoms)
        except CaffeFormatError:
            raise
        except (RuntimeError, ValueError, IndexError, TypeError, ZeroDivisionError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CaffeFormatError(f"layer {layer.name!r} ({layer.type}) cannot run on its inputs: {first_line}") from None
        tops = list(out) if isinstance(out, tuple) else [out]
        if len(tops) != len(layer.tops):
            raise CaffeFormatError(f"layer {layer.name!r} ({layer.type}) makes {len(tops)} tops, the net names {len(layer.tops)}")
        param_shapes[layer.name] = [tuple(s) for s in params]
        top_shapes.append([tuple(t.shape) for t in tops])
        blobs.update(zip(layer.tops, tops))
        for top in layer.tops:
            blocked_blobs.pop(top, None)
    return ShapePlan(input_shapes=shapes, param_shapes=param_shapes, top_shapes=top_shapes, blocked=blocked)


def _declared_input_shapes(spec: NetSpec, given: dict[str, Shape]) -> dict[str, Shape]:
    shapes: dict[str, Shape] = {}
    for name, declared in spec.inputs.items():
        shape = given.get(name, declared)
        if shape is None:
            raise CaffeFormatError(f"the net does not declare the shape of its input {name!r}; pass input_shape")
        if len(shape) != 4 or min(shape) < 1:
            raise CaffeFormatError(f"input {name!r} has shape {tuple(shape)}; expected (N, C, H, W) with all sizes >= 1")
        shapes[name] = tuple(int(d) for d in shape)
    return shapes
