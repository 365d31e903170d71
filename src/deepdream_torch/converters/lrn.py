"""Local response normalisation, across channels (AlexNet, GoogLeNet) or within each channel.

Caffe's window for channel c is [c - (size-1)/2, c + (size-1)/2] (odd sizes only). Summing `size` shifted channel
slices beats an avg_pool3d over an unsqueezed channel axis, and the hand-written backward avoids autograd's
slice-gradient copies (the figures are in benchmarks/README.md, bench_dream.py).
"""

from __future__ import annotations

import functools

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
    """Sum over Caffe's channel window [c - (size-1)/2, c + (size-1)/2] (zero outside), for every channel c of
    ``t``, whose channels are its *last* dimension: each shifted add then runs along contiguous rows."""
    if t.dtype in (torch.bfloat16, torch.float16):  # a bf16 dream's LRN (under autocast)
        return t @ _band(t.shape[-1], size, t.dtype, t.device)
    half = (size - 1) // 2
    total = t.clone()
    for offset in range(1, half + 1):
        total[..., :-offset] += t[..., offset:]
        total[..., offset:] += t[..., :-offset]
    return total


@functools.lru_cache(maxsize=32)
def _band(channels: int, size: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The (C, C) matrix of ones on the window's band: ``t @ band`` is ``_window_sum(t)`` as one matrix product.
    In half precision the shifted slice adds are slow strided passes (a 270x480x64 sum: 62 ms against 10 ms for
    the product) and round at every add; the product accumulates in fp32. In fp32 the adds are as fast or faster
    (a 135x240x192 sum: 15 against 35 ms), so fp32 keeps them."""
    index = torch.arange(channels, device=device)
    return ((index[:, None] - index[None, :]).abs() <= (size - 1) // 2).to(dtype)


class CrossChannelLRN(torch.autograd.Function):
    """y = x * s**-beta with s = k + alpha/size * (window sum of x**2), and Caffe's own backward for it.

    Autograd through the shifted-slice sum spent most of LRN's time zero-filling and copying slice gradients;
    the closed form below needs a few element-wise passes:
    dx = dy * s**-beta - (2 * alpha * beta / size) * x * (window sum of dy * y / s), the window being symmetric.
    Both run on the (N, H, W, C) view, which is free for the channels-last pictures a dream uses: summing channel
    slices of an (N, C, H, W) tensor, and mixing its layout with a padded copy's, took twice as long.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, size: int, alpha: float, beta: float, k: float) -> torch.Tensor:
        layout = torch.channels_last if x.is_contiguous(memory_format=torch.channels_last) else torch.contiguous_format
        v = x.permute(0, 2, 3, 1).contiguous()  # a view when x is channels-last
        scale = _window_sum(v * v, size).mul_(alpha / size).add_(k)
        ctx.save_for_backward(v, scale)  # not s**-beta too: a third picture-sized blob kept costs more than a pow
        ctx.constants = (size, alpha, beta, layout)
        return (v * scale.pow(-beta)).permute(0, 3, 1, 2).contiguous(memory_format=layout)

    @staticmethod
    def backward(ctx, dy: torch.Tensor):
        v, scale = ctx.saved_tensors
        size, alpha, beta, layout = ctx.constants
        d = dy.permute(0, 2, 3, 1)
        passed = scale.pow(-beta).mul_(d)
        weighted = _window_sum((v * passed).div_(scale), size)  # window sum of dy * y / s
        dx = torch.addcmul(passed, v, weighted, value=-2.0 * alpha * beta / size)
        return dx.permute(0, 3, 1, 2).contiguous(memory_format=layout), None, None, None, None


def _exported_lrn(x: torch.Tensor, size: int, alpha: float, beta: float, k: float) -> torch.Tensor:
    """The same y = x * s**-beta in plain out-of-place ops on (N, C, H, W), for ONNX: the exporter traces
    ``CrossChannelLRN``'s in-place adds into slices with the traced size baked in (wrong at any other size)."""
    half = (size - 1) // 2
    channels = x.shape[1]
    padded = F.pad(x * x, (0, 0, 0, 0, half, half))
    window = sum(padded[:, offset : offset + channels] for offset in range(size))
    return x * (k + (alpha / size) * window).pow(-beta)


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
        if self.across_channels:
            if torch.onnx.is_in_onnx_export():
                return _exported_lrn(x, self.size, self.alpha, self.beta, self.k)
            return CrossChannelLRN.apply(x, self.size, self.alpha, self.beta, self.k)
        squares = x * x
        # Caffe builds WITHIN_CHANNEL from an AVE pooling of the squares (pad (size-1)//2, padded cells counted)
        # and a Power layer with shift 1: its `k` is not used in this mode.
        pad = (self.size - 1) // 2
        mean = F.avg_pool2d(squares, self.size, stride=1, padding=pad, ceil_mode=True, count_include_pad=True)
        return x * (1.0 + self.alpha * mean).pow(-self.beta)


@add_converter("LRN")
def lrn(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return LRN(spec)
