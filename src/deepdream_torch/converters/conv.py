"""Convolution and Deconvolution (grouped, dilated, rectangular kernels, optional bias)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec, Shape
from deepdream_torch.converters.geometry import conv_geometry
from deepdream_torch.converters.registry import add_converter, frozen


def _checked(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> tuple[int, int, int]:
    p = spec.param("convolution_param")
    if p.axis not in (1, -3):
        raise CaffeFormatError(f"layer {spec.name!r}: convolution over axis {p.axis} is not supported")
    conv_geometry(spec)  # validates kernel, stride, dilation and group first
    channels, groups = bottom_shapes[0][1], p.group
    if p.num_output == 0:
        raise CaffeFormatError(f"layer {spec.name!r}: num_output is missing")
    if channels % groups or p.num_output % groups:
        raise CaffeFormatError(
            f"layer {spec.name!r}: group {groups} does not divide {channels} input / {p.num_output} output channels"
        )
    return channels, p.num_output, groups


def convolution_param_shapes(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> list[Shape]:
    channels, outputs, groups = _checked(spec, bottom_shapes)
    kernel = conv_geometry(spec)[0]
    shapes: list[Shape] = [(outputs, channels // groups, *kernel)]
    return shapes + [(outputs,)] if spec.param("convolution_param").bias_term else shapes


def deconvolution_param_shapes(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> list[Shape]:
    # Caffe stores a deconvolution's weights as (input channels, outputs / group, kh, kw): torch's layout too.
    channels, outputs, groups = _checked(spec, bottom_shapes)
    kernel = conv_geometry(spec)[0]
    shapes: list[Shape] = [(channels, outputs // groups, *kernel)]
    return shapes + [(outputs,)] if spec.param("convolution_param").bias_term else shapes


class Convolution(nn.Module):
    def __init__(self, spec: LayerSpec, blobs: list[torch.Tensor], transposed: bool):
        super().__init__()
        _, self.stride, self.pad, self.dilation = conv_geometry(spec)
        self.groups = spec.param("convolution_param").group
        self.transposed = transposed
        self.weight = frozen(blobs[0])
        self.bias = frozen(blobs[1]) if len(blobs) > 1 else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.transposed:
            return F.conv_transpose2d(
                x, self.weight, self.bias, self.stride, self.pad, 0, self.groups, self.dilation
            )
        return F.conv2d(x, self.weight, self.bias, self.stride, self.pad, self.dilation, self.groups)


@add_converter("Convolution", param_shapes=convolution_param_shapes)
def convolution(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Convolution(spec, blobs, transposed=False)


@add_converter("Deconvolution", param_shapes=deconvolution_param_shapes)
def deconvolution(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Convolution(spec, blobs, transposed=True)
