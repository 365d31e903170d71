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


# Input channels up to which a strided convolution's input gradient goes through _SpaceToDepthGradient: oneDNN's
# backward-data kernel runs a 3-channel, stride-2 convolution (GoogLeNet's conv1) at a fraction of its speed.
_FEW_CHANNELS = 4


class _SpaceToDepthGradient(torch.autograd.Function):
    """A stride-s convolution whose input gradient is taken as that of the equal stride-1 convolution on the
    picture's s x s pixel blocks stacked as channels (space to depth): s*s times the channels, a kernel of
    ceil(k/s) taps, and a backward kernel oneDNN runs fast (benchmarks/README.md, bench_dream.py). The forward is
    the plain convolution; the weights are frozen, so only the input's gradient is computed."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride: int, pad: tuple[int, int]) -> torch.Tensor:
        ctx.save_for_backward(weight)
        ctx.geometry = (x.shape, x.dtype, stride, pad)
        ctx.layout = torch.channels_last if x.is_contiguous(memory_format=torch.channels_last) else None
        return F.conv2d(x, weight, bias, stride, pad)

    @staticmethod
    def backward(ctx, dy: torch.Tensor):
        (weight,) = ctx.saved_tensors
        shape, dtype, s, (pad_h, pad_w) = ctx.geometry
        out, channels, kh, kw = weight.shape
        taps_h, taps_w = -(-kh // s), -(-kw // s)
        blocks = F.pad(weight, (0, taps_w * s - kw, 0, taps_h * s - kh))  # zero taps round the kernel up to s
        blocks = blocks.reshape(out, channels, taps_h, s, taps_w, s).permute(0, 1, 3, 5, 2, 4)
        blocks = blocks.reshape(out, channels * s * s, taps_h, taps_w).to(dy.dtype)
        padded = F.pixel_shuffle(F.conv_transpose2d(dy, blocks), s)  # the gradient of the padded picture
        height, width = shape[-2:]
        grad = F.pad(padded, (-pad_w, width + pad_w - padded.shape[-1], -pad_h, height + pad_h - padded.shape[-2]))
        grad = grad.to(dtype)
        if ctx.layout is not None:
            grad = grad.contiguous(memory_format=ctx.layout)
        return grad, None, None, None, None


class Convolution(nn.Module):
    def __init__(self, spec: LayerSpec, blobs: list[torch.Tensor], transposed: bool):
        super().__init__()
        _, self.stride, self.pad, self.dilation = conv_geometry(spec)
        self.groups = spec.param("convolution_param").group
        self.transposed = transposed
        self.weight = frozen(blobs[0])
        self.bias = frozen(blobs[1]) if len(blobs) > 1 else None

    def forward(self, x: torch.Tensor, folded: tuple[torch.Tensor, torch.Tensor] | None = None) -> torch.Tensor:
        """The convolution of ``x``; with ``folded``, by that weight and bias instead of its own (the batch norm
        after it folded in: ``net/folding.py``)."""
        weight, bias = folded if folded is not None else (self.weight, self.bias)
        if self.transposed:
            return F.conv_transpose2d(x, weight, bias, self.stride, self.pad, 0, self.groups, self.dilation)
        if self._space_to_depth(x):
            return _SpaceToDepthGradient.apply(x, weight, bias, self.stride[0], tuple(self.pad))
        return F.conv2d(x, weight, bias, self.stride, self.pad, self.dilation, self.groups)

    def _space_to_depth(self, x: torch.Tensor) -> bool:
        """Whether ``x``'s gradient goes through _SpaceToDepthGradient: a plain strided convolution of a few
        channels on the CPU (where it was measured), the input's gradient wanted and the weights' not."""
        return (
            x.requires_grad
            and x.device.type == "cpu"
            and x.dim() == 4
            and x.shape[1] <= _FEW_CHANNELS
            and self.groups == 1
            and tuple(self.dilation) == (1, 1)
            and self.stride[0] == self.stride[1] > 1
            and not self.weight.requires_grad
            and (self.bias is None or not self.bias.requires_grad)
        )


@add_converter("Convolution", param_shapes=convolution_param_shapes)
def convolution(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Convolution(spec, blobs, transposed=False)


@add_converter("Deconvolution", param_shapes=deconvolution_param_shapes)
def deconvolution(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Convolution(spec, blobs, transposed=True)
