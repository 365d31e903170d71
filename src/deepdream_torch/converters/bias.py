"""Bias: adds a learned blob (or a second bottom) broadcast over the first bottom's axes from ``axis`` on, as
Scale multiplies (Caffe's BiasLayer, the additive half of Scale)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec, Shape
from deepdream_torch.converters.registry import add_converter, canonical_axis, frozen


def _bias_span(spec: LayerSpec, shape: Shape) -> Shape:
    p = spec.param("bias_param")
    axis = canonical_axis(p.axis, len(shape), spec)
    end = len(shape) if p.num_axes == -1 else axis + p.num_axes
    if p.num_axes < -1 or end > len(shape):
        raise CaffeFormatError(f"layer {spec.name!r}: num_axes {p.num_axes} does not fit a {len(shape)}-axis blob")
    return tuple(shape[axis:end])


def bias_param_shapes(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> list[Shape]:
    return [] if len(bottom_shapes) > 1 else [_bias_span(spec, bottom_shapes[0])]


class Bias(nn.Module):
    def __init__(self, spec: LayerSpec, blobs: list[torch.Tensor]):
        super().__init__()
        self.name, self.axis = spec.name, spec.param("bias_param").axis
        self.bias = frozen(blobs[0]) if blobs else None

    def forward(self, x: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
        bias = self.bias if bias is None else bias
        axis = self.axis % x.dim()
        if tuple(bias.shape) != tuple(x.shape[axis : axis + bias.dim()]):
            raise CaffeFormatError(
                f"layer {self.name!r}: bias of shape {tuple(bias.shape)} does not match the bottom's axes from "
                f"{axis} on {tuple(x.shape)}"
            )
        return x + bias.reshape((1,) * axis + tuple(bias.shape) + (1,) * (x.dim() - axis - bias.dim()))


@add_converter("Bias", param_shapes=bias_param_shapes)
def bias(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Bias(spec, blobs)
