"""BatchNorm (statistics divided by Caffe's stored scale factor) and Scale (learned or second-bottom factor, bias).

Caffe's BatchNorm has no affine part: ResNets follow it with a Scale layer. Its three blobs are the running mean and
variance *sums* and the factor they were accumulated with; the statistics are the sums divided by that factor (a
factor of 0 means zero statistics).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec, Shape
from deepdream_torch.converters.registry import add_converter, canonical_axis, frozen


def batch_norm_param_shapes(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> list[Shape]:
    channels = bottom_shapes[0][1]
    return [(channels,), (channels,), (1,)]


class BatchNorm(nn.Module):
    def __init__(self, spec: LayerSpec, blobs: list[torch.Tensor]):
        super().__init__()
        p = spec.param("batch_norm_param")
        self.eps = p.eps
        # In a TEST-phase net Caffe uses the stored statistics unless the file says otherwise.
        self.use_global_stats = p.use_global_stats if p.HasField("use_global_stats") else True
        self.mean, self.variance, self.scale_factor = (frozen(b) for b in blobs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.use_global_stats:
            return F.batch_norm(x, None, None, training=True, eps=self.eps)
        factor = torch.where(self.scale_factor == 0, 0.0, 1.0 / self.scale_factor)
        return F.batch_norm(x, self.mean * factor, self.variance * factor, training=False, eps=self.eps)


def _scale_span(spec: LayerSpec, shape: Shape) -> tuple[int, Shape]:
    p = spec.param("scale_param")
    axis = canonical_axis(p.axis, len(shape), spec)
    end = len(shape) if p.num_axes == -1 else axis + p.num_axes
    if p.num_axes < -1 or end > len(shape):
        raise CaffeFormatError(f"layer {spec.name!r}: num_axes {p.num_axes} does not fit a {len(shape)}-axis blob")
    return axis, tuple(shape[axis:end])


def scale_param_shapes(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> list[Shape]:
    if len(bottom_shapes) > 1:  # the factor comes from the second bottom; only the bias is learned
        return [tuple(bottom_shapes[1])] if spec.param("scale_param").bias_term else []
    factor = _scale_span(spec, bottom_shapes[0])[1]
    return [factor, factor] if spec.param("scale_param").bias_term else [factor]


class Scale(nn.Module):
    def __init__(self, spec: LayerSpec, blobs: list[torch.Tensor], two_bottoms: bool):
        super().__init__()
        self.name = spec.name
        self.axis = spec.param("scale_param").axis
        self.two_bottoms = two_bottoms
        blobs = list(blobs)
        self.weight = None if two_bottoms else frozen(blobs.pop(0))
        self.bias = frozen(blobs.pop(0)) if blobs else None

    def forward(self, x: torch.Tensor, factor: torch.Tensor | None = None) -> torch.Tensor:
        factor = factor if self.two_bottoms else self.weight
        axis = self.axis % x.dim()
        if self.two_bottoms and tuple(factor.shape) != tuple(x.shape[axis : axis + factor.dim()]):
            raise CaffeFormatError(
                f"layer {self.name!r}: its second bottom {tuple(factor.shape)} does not match the first bottom's "
                f"axes from {axis} on {tuple(x.shape)}"
            )
        y = x * _broadcastable(factor, axis, x.dim())
        return y + _broadcastable(self.bias, axis, x.dim()) if self.bias is not None else y


def _broadcastable(t: torch.Tensor, axis: int, ndim: int) -> torch.Tensor:
    return t.reshape((1,) * axis + tuple(t.shape) + (1,) * (ndim - axis - t.dim()))


@add_converter("BatchNorm", param_shapes=batch_norm_param_shapes)
def batch_norm(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return BatchNorm(spec, blobs)


@add_converter("Scale", param_shapes=scale_param_shapes)
def scale(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Scale(spec, blobs, two_bottoms=len(spec.bottoms) > 1)
