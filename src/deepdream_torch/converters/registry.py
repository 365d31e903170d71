"""The table of layer converters, keyed by Caffe layer type.

A converter is two small functions: ``param_shapes`` says which parameter blobs a layer of that type holds, in
Caffe's order and shapes, given its bottoms' shapes (used to check a caffemodel against the net and to make random
weights); ``build`` turns the layer and its blobs into a ``torch.nn.Module`` whose ``forward`` takes the bottoms and
returns the top (or a tuple of tops). Adding a layer type is one new function and one ``@add_converter`` line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec, Shape

ParamShapes = Callable[[LayerSpec, Sequence[Shape]], list[Shape]]
Build = Callable[[LayerSpec, list[torch.Tensor]], nn.Module]


def no_params(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> list[Shape]:
    return []


@dataclass(frozen=True)
class Converter:
    type: str
    build: Build
    param_shapes: ParamShapes


_CONVERTERS: dict[str, Converter] = {}


def add_converter(*types: str, param_shapes: ParamShapes = no_params) -> Callable[[Build], Build]:
    def register(build: Build) -> Build:
        for type_name in types:
            _CONVERTERS[type_name] = Converter(type_name, build, param_shapes)
        return build

    return register


def converter_for(spec: LayerSpec) -> Converter:
    try:
        return _CONVERTERS[spec.type]
    except KeyError:
        raise CaffeFormatError(
            f"layer {spec.name!r} has type {spec.type!r}, which deepdream-torch cannot convert "
            f"(supported: {', '.join(supported_types())})"
        ) from None


def has_converter(spec: LayerSpec) -> bool:
    """Whether layers of ``spec``'s type convert; the others are left unconverted (see ``net.shape_plan``)."""
    return spec.type in _CONVERTERS


def supported_types() -> list[str]:
    return sorted(_CONVERTERS)


def frozen(tensor: torch.Tensor) -> nn.Parameter:
    """A parameter that never requires grad: dreaming needs gradients for the input only."""
    return nn.Parameter(tensor, requires_grad=False)


def canonical_axis(axis: int, ndim: int, spec: LayerSpec) -> int:
    if not -ndim <= axis < ndim:
        raise CaffeFormatError(f"layer {spec.name!r}: axis {axis} is out of range for a {ndim}-axis blob")
    return axis % ndim
