"""Pooling (MAX and AVE) with Caffe's output size and averaging divisor.

Caffe rounds the output size up (``round_mode: CEIL``, the default) and then drops a last window that would start in
the padding. Its AVE divisor counts padded cells inside ``[-pad, size + pad)`` but not the cells that rounding up
adds past that. PyTorch's ``ceil_mode`` pooling with ``count_include_pad`` follows the same rules whenever the pad is
at most half the kernel, except that Caffe applies the "drop the last window" rule on both axes when either has a pad and
on neither when none has, where PyTorch always applies it (it matters only for kernels smaller than their stride). Where the rules agree the fast path is chosen once, when the layer is
built, so the choice never depends on the input size (exported graphs stay valid at every size); otherwise the window
sums are taken over an explicitly padded input and divided by Caffe's divisor, computed per output row and column.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec
from deepdream_torch.converters.geometry import at_least_one, pooled_size
from deepdream_torch.converters.registry import add_converter

MAX, AVE = caffe_pb2.PoolingParameter.MAX, caffe_pb2.PoolingParameter.AVE


class Pooling(nn.Module):
    def __init__(self, spec: LayerSpec):
        super().__init__()
        p = spec.param("pooling_param")
        if p.pool not in (MAX, AVE):
            raise CaffeFormatError(f"layer {spec.name!r}: STOCHASTIC pooling is not supported (MAX and AVE are)")
        self.name = spec.name
        self.average = p.pool == AVE
        self.global_pooling = p.global_pooling
        self.ceil = p.round_mode == caffe_pb2.PoolingParameter.CEIL
        if p.HasField("kernel_h") or p.HasField("kernel_w"):
            self.kernel = (p.kernel_h, p.kernel_w)
        elif p.HasField("kernel_size"):
            self.kernel = (p.kernel_size, p.kernel_size)
        elif not p.global_pooling:
            raise CaffeFormatError(f"layer {spec.name!r}: pooling needs kernel_size or global_pooling")
        self.stride = (p.stride_h, p.stride_w) if p.HasField("stride_h") else (p.stride, p.stride)
        self.pad = (p.pad_h, p.pad_w) if p.HasField("pad_h") or p.HasField("pad_w") else (p.pad, p.pad)
        if not self.global_pooling:
            at_least_one(spec, kernel=self.kernel, stride=self.stride)
        if self.global_pooling and any(self.pad):
            raise CaffeFormatError(f"layer {spec.name!r}: global pooling takes no pad")
        padded = any(self.pad)
        self.torch_rules_match = self.global_pooling or all(
            p <= k // 2 and (padded or k >= s or not self.ceil) for p, k, s in zip(self.pad, self.kernel, self.stride)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.global_pooling:
            return x.mean(dim=(-2, -1), keepdim=True) if self.average else x.amax(dim=(-2, -1), keepdim=True)
        if not self.torch_rules_match:
            return self._explicit(x)
        try:
            if self.average:
                return F.avg_pool2d(x, self.kernel, self.stride, self.pad, ceil_mode=self.ceil, count_include_pad=True)
            return F.max_pool2d(x, self.kernel, self.stride, self.pad, ceil_mode=self.ceil)
        except RuntimeError:
            self._check_fits(x)
            raise

    def _output_size(self, x: torch.Tensor) -> tuple[int, int]:
        return tuple(  # type: ignore[return-value]
            pooled_size(n, k, s, p, self.ceil, any(self.pad))
            for n, k, s, p in zip(x.shape[-2:], self.kernel, self.stride, self.pad)
        )

    def _check_fits(self, x: torch.Tensor) -> None:
        if min(self._output_size(x)) < 1:
            height, width = x.shape[-2:]
            raise CaffeFormatError(
                f"layer {self.name!r}: its {height}x{width} input is smaller than its {self.kernel} window; "
                f"use a larger picture or a lower layer"
            )

    def _explicit(self, x: torch.Tensor) -> torch.Tensor:
        self._check_fits(x)
        size = self._output_size(x)
        (ph, pw), (kh, kw), (sh, sw) = self.pad, self.kernel, self.stride
        height, width = x.shape[-2:]
        # A stride past the whole input makes Caffe pool a window that lies wholly outside it (an empty window):
        # no published net does that, and padding out to it could ask for terabytes.
        if (size[0] - 1) * sh - ph >= height + ph or (size[1] - 1) * sw - pw >= width + pw:
            raise CaffeFormatError(
                f"layer {self.name!r}: its stride {self.stride} steps past its whole {height}x{width} input, "
                f"so its last window would pool nothing; use a picture larger than the stride or fix the stride"
            )
        extra_h = max(0, (size[0] - 1) * sh + kh - (height + 2 * ph))
        extra_w = max(0, (size[1] - 1) * sw + kw - (width + 2 * pw))
        fill = 0.0 if self.average else float("-inf")
        padded = F.pad(x, (pw, pw + extra_w, ph, ph + extra_h), value=fill)
        if not self.average:
            return F.max_pool2d(padded, self.kernel, self.stride)[..., : size[0], : size[1]]
        sums = F.avg_pool2d(padded, self.kernel, self.stride, divisor_override=1)[..., : size[0], : size[1]]
        rows = _window_lengths(size[0], height, kh, sh, ph, x.device)
        cols = _window_lengths(size[1], width, kw, sw, pw, x.device)
        return sums / (rows[:, None] * cols[None, :]).to(x.dtype)


def _window_lengths(count: int, size: int, kernel: int, stride: int, pad: int, device: torch.device) -> torch.Tensor:
    starts = torch.arange(count, device=device) * stride - pad
    return torch.clamp(starts + kernel, max=size + pad) - starts


@add_converter("Pooling")
def pooling(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Pooling(spec)
