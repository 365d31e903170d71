"""Local response normalisation, across channels (AlexNet, GoogLeNet) or within each channel.

Caffe's window for channel c is [c - (size-1)/2, c + (size-1)/2] (odd sizes only). Summing `size` shifted channel
slices is 2.6x faster than an avg_pool3d over an unsqueezed channel axis, and the hand-written backward avoids
autograd's slice-gradient copies; together they took LRN from ~40% of a GoogLeNet dream step to a few percent.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec
from deepdream_torch.converters.geometry import at_least_one
from deepdream_torch.converters.registry import add_converter

ACROSS_CHANNELS = caffe_pb2.LRNParameter.ACROSS_CHANNELS


def _window_sum(t: torch.Tensor, size: int) -> torch.Tensor:
    """Sum over Caffe's channel window [c - (size-1)/2, c + (size-1)/2] (zero outside), for every channel c."""
    if size == 1:
        return t
    half = (size - 1) // 2
    padded = F.pad(t, (0, 0, 0, 0, half, half))
    channels = t.shape[1]
    total = padded[:, :channels] + padded[:, 1 : 1 + channels]
    for offset in range(2, size):
        total += padded[:, offset : offset + channels]
    return total


class CrossChannelLRN(torch.autograd.Function):
    """y = x * s**-beta with s = k + alpha/size * (window sum of x**2), and Caffe's own backward for it.

    Autograd through the shifted-slice sum spent most of LRN's time zero-filling and copying slice gradients
    (LRN was ~25% of a GoogLeNet dream step); the closed form below needs a few element-wise passes:
    dx = dy * s**-beta - (2 * alpha * beta / size) * x * (window sum of dy * y / s), the window being symmetric.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, size: int, alpha: float, beta: float, k: float) -> torch.Tensor:
        scale = k + (alpha / size) * _window_sum(x * x, size)
        scale_pow = scale.pow(-beta)
        ctx.save_for_backward(x, scale, scale_pow)
        ctx.constants = (size, alpha, beta)
        return x * scale_pow

    @staticmethod
    def backward(ctx, dy: torch.Tensor):
        x, scale, scale_pow = ctx.saved_tensors
        size, alpha, beta = ctx.constants
        weighted = dy * x * scale_pow / scale  # dy * y / s
        dx = dy * scale_pow - (2.0 * alpha * beta / size) * x * _window_sum(weighted, size)
        return dx, None, None, None, None


class LRN(nn.Module):
    def __init__(self, spec: LayerSpec):
        super().__init__()
        p = spec.param("lrn_param")
        at_least_one(spec, local_size=(p.local_size,))
        if p.local_size % 2 == 0:  # Caffe's LRNLayer refuses these too
            raise CaffeFormatError(f"layer {spec.name!r}: LRN takes only odd local_size values, not {p.local_size}")
        self.size, self.alpha, self.beta, self.k = p.local_size, p.alpha, p.beta, p.k
        self.across_channels = p.norm_region == ACROSS_CHANNELS

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        squares = x * x
        if self.across_channels:
            return CrossChannelLRN.apply(x, self.size, self.alpha, self.beta, self.k)
        # Caffe builds WITHIN_CHANNEL from an AVE pooling of the squares (pad (size-1)//2, padded cells counted)
        # and a Power layer with shift 1: its `k` is not used in this mode.
        pad = (self.size - 1) // 2
        mean = F.avg_pool2d(squares, self.size, stride=1, padding=pad, ceil_mode=True, count_include_pad=True)
        return x * (1.0 + self.alpha * mean).pow(-self.beta)


@add_converter("LRN")
def lrn(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return LRN(spec)
