"""Local response normalisation, across channels (AlexNet, GoogLeNet) or within each channel."""

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
            # Caffe's window for channel c is [c - (size-1)/2, c + (size-1)/2] (odd sizes only). Summing `size`
            # shifted channel slices is 2.6x faster forward+backward on the CPU than the avg_pool3d formulation
            # (measured at 1x192x135x240), which made LRN 40% of a GoogLeNet dream step.
            half = (self.size - 1) // 2
            padded = F.pad(squares, (0, 0, 0, 0, half, half))
            channels = x.shape[1]
            window = padded[:, :channels]
            for offset in range(1, self.size):
                window = window + padded[:, offset : offset + channels]
            return x * (self.k + (self.alpha / self.size) * window).pow(-self.beta)
        # Caffe builds WITHIN_CHANNEL from an AVE pooling of the squares (pad (size-1)//2, padded cells counted)
        # and a Power layer with shift 1: its `k` is not used in this mode.
        pad = (self.size - 1) // 2
        mean = F.avg_pool2d(squares, self.size, stride=1, padding=pad, ceil_mode=True, count_include_pad=True)
        return x * (1.0 + self.alpha * mean).pow(-self.beta)


@add_converter("LRN")
def lrn(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return LRN(spec)
