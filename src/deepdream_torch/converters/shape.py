"""Layers that move values without computing on them: Concat, Flatten, Reshape, Crop, Slice, Split, Permute (SSD)."""

from __future__ import annotations

import itertools

import torch
from torch import nn

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec
from deepdream_torch.converters.registry import add_converter


class Concat(nn.Module):
    def __init__(self, axis: int):
        super().__init__()
        self.axis = axis

    def forward(self, *bottoms: torch.Tensor) -> torch.Tensor:
        return torch.cat(bottoms, dim=self.axis)


class Flatten(nn.Module):
    def __init__(self, axis: int, end_axis: int):
        super().__init__()
        self.axis, self.end_axis = axis, end_axis

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(self.axis, self.end_axis)


class Reshape(nn.Module):
    """Caffe's Reshape: 0 copies the input's dimension at that place, -1 is inferred; only axes
    [axis, axis + num_axes) of the input are replaced."""

    def __init__(self, spec: LayerSpec):
        super().__init__()
        p = spec.param("reshape_param")
        self.name = spec.name
        self.dims = list(p.shape.dim)
        self.axis, self.num_axes = p.axis, p.num_axes

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = list(x.shape)
        start = self.axis + len(shape) + 1 if self.axis < 0 else self.axis
        end = len(shape) if self.num_axes == -1 else start + self.num_axes
        if not 0 <= start <= end <= len(shape):
            raise CaffeFormatError(f"layer {self.name!r}: axis/num_axes do not fit a {len(shape)}-axis blob")
        new = [shape[start + i] if d == 0 else d for i, d in enumerate(self.dims)]
        return x.reshape(shape[:start] + new + shape[end:])


class Crop(nn.Module):
    def __init__(self, spec: LayerSpec):
        super().__init__()
        p = spec.param("crop_param")
        self.name, self.axis, self.offsets = spec.name, p.axis, list(p.offset)

    def forward(self, x: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
        axis = self.axis % x.dim()
        cropped = x.dim() - axis
        offsets = self.offsets or [0]
        if len(offsets) == 1:
            offsets = offsets * cropped
        if len(offsets) != cropped:
            raise CaffeFormatError(f"layer {self.name!r}: {len(offsets)} offsets for {cropped} cropped axes")
        index = [slice(None)] * axis
        for dim, offset in zip(range(axis, x.dim()), offsets):
            if offset + reference.shape[dim] > x.shape[dim]:
                raise CaffeFormatError(
                    f"layer {self.name!r}: cannot crop {reference.shape[dim]} at offset {offset} "
                    f"from {x.shape[dim]} along axis {dim}"
                )
            index.append(slice(offset, offset + reference.shape[dim]))
        return x[tuple(index)]


class Slice(nn.Module):
    def __init__(self, spec: LayerSpec):
        super().__init__()
        p = spec.param("slice_param")
        self.name = spec.name
        self.axis = p.axis if p.HasField("axis") or not p.HasField("slice_dim") else p.slice_dim
        self.points = list(p.slice_point)
        self.count = len(spec.tops)
        if self.points and len(self.points) != self.count - 1:
            raise CaffeFormatError(f"layer {spec.name!r}: {len(self.points)} slice points for {self.count} tops")

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        length = x.shape[self.axis]
        if self.points:
            bounds = [0, *self.points, length]
        else:
            if length % self.count:
                raise CaffeFormatError(f"layer {self.name!r}: cannot split {length} evenly into {self.count} tops")
            bounds = [i * length // self.count for i in range(self.count + 1)]
        sizes = [b - a for a, b in itertools.pairwise(bounds)]
        if min(sizes) <= 0:
            raise CaffeFormatError(f"layer {self.name!r}: slice points {self.points} do not fit length {length}")
        return tuple(torch.split(x, sizes, dim=self.axis))


class Permute(nn.Module):
    """SSD's Permute: axes reordered as ``order`` lists them; axes it leaves out follow in their own order."""

    def __init__(self, spec: LayerSpec):
        super().__init__()
        self.name, self.order = spec.name, list(spec.param("permute_param").order)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        order = [axis % x.dim() for axis in self.order]
        if len(set(order)) != len(order) or any(not -x.dim() <= a < x.dim() for a in self.order):
            raise CaffeFormatError(f"layer {self.name!r}: order {self.order} does not fit a {x.dim()}-axis blob")
        return x.permute(*order, *(axis for axis in range(x.dim()) if axis not in order))


class Split(nn.Module):
    def __init__(self, count: int):
        super().__init__()
        self.count = count

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return (x,) * self.count


@add_converter("Concat")
def concat(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    p = spec.param("concat_param")
    # `concat_dim` is the deprecated spelling of `axis`; Caffe honours it only when `axis` is absent.
    return Concat(p.concat_dim if p.HasField("concat_dim") and not p.HasField("axis") else p.axis)


@add_converter("Flatten")
def flatten(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    p = spec.param("flatten_param")
    return Flatten(p.axis, p.end_axis)


@add_converter("Reshape")
def reshape(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Reshape(spec)


@add_converter("Crop")
def crop(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Crop(spec)


@add_converter("Slice")
def slice_(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Slice(spec)


@add_converter("Split")
def split(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Split(len(spec.tops))


@add_converter("Permute")
def permute(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Permute(spec)
