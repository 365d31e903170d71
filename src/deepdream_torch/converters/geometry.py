"""Kernel, stride, pad and dilation of convolution and pooling layers, read as Caffe reads them."""

from __future__ import annotations

from collections.abc import Sequence

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec

Pair = tuple[int, int]


def pair(spec: LayerSpec, what: str, values: Sequence[int], default: int) -> Pair:
    """Caffe's repeated spatial fields: none → default, one value → both axes, two → (h, w)."""
    values = list(values)
    if not values:
        return default, default
    if len(values) == 1:
        return values[0], values[0]
    if len(values) == 2:
        return values[0], values[1]
    raise CaffeFormatError(f"layer {spec.name!r}: {len(values)} {what} values; only 2-D layers are supported")


def conv_geometry(spec: LayerSpec) -> tuple[Pair, Pair, Pair, Pair]:
    """(kernel, stride, pad, dilation) of a Convolution/Deconvolution layer."""
    p = spec.param("convolution_param")
    if p.HasField("kernel_h") or p.HasField("kernel_w"):
        kernel = (p.kernel_h, p.kernel_w)
    else:
        if not len(p.kernel_size):
            raise CaffeFormatError(f"layer {spec.name!r}: convolution without kernel_size")
        kernel = pair(spec, "kernel_size", p.kernel_size, 1)
    stride = (p.stride_h, p.stride_w) if p.HasField("stride_h") else pair(spec, "stride", p.stride, 1)
    pad = (p.pad_h, p.pad_w) if p.HasField("pad_h") or p.HasField("pad_w") else pair(spec, "pad", p.pad, 0)
    dilation = pair(spec, "dilation", p.dilation, 1)
    at_least_one(spec, kernel=kernel, stride=stride, dilation=dilation, group=(p.group,))
    return kernel, stride, pad, dilation


def at_least_one(spec: LayerSpec, **values: Sequence[int]) -> None:
    for what, numbers in values.items():
        if min(numbers) < 1:
            raise CaffeFormatError(f"layer {spec.name!r}: {what} must be at least 1, not {min(numbers)}")


def pooled_size(size: int, kernel: int, stride: int, pad: int, ceil: bool, padded: bool) -> int:
    """Caffe's pooling output size: ceil (or floor) rounding, then drop a last window that would start in the
    padding rather than inside the image. Caffe applies that drop on both axes as soon as either has a pad
    (``padded``), and on neither when none has."""
    span = size + 2 * pad - kernel
    pooled = (-(-span // stride) if ceil else span // stride) + 1
    if padded and (pooled - 1) * stride >= size + pad:
        pooled -= 1
    return pooled
