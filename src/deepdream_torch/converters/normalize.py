"""Normalize (SSD / ParseNet, a layer of Wei Liu's Caffe fork): each position's channel vector (or the whole blob)
divided by its L2 norm, then multiplied by a learned scale (one value, or one per channel).

The fork computes the norm as sqrt(sum(x²) + eps), eps inside the root, over the channels of each pixel
(``across_spatial: false``, what SSD uses) or over a whole sample (``across_spatial: true``, the default).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec, Shape
from deepdream_torch.converters.registry import add_converter, frozen


def normalize_param_shapes(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> list[Shape]:
    if len(bottom_shapes[0]) < 2:
        raise CaffeFormatError(f"layer {spec.name!r} (Normalize) needs a blob with channels, got {bottom_shapes[0]}")
    return [(1,)] if spec.param("norm_param").channel_shared else [(bottom_shapes[0][1],)]


class Normalize(nn.Module):
    def __init__(self, spec: LayerSpec, scale: torch.Tensor):
        super().__init__()
        p = spec.param("norm_param")
        self.across_spatial, self.eps = p.across_spatial, p.eps
        self.scale = frozen(scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        squares = x * x
        dims = tuple(range(1, x.dim())) if self.across_spatial else (1,)
        norm = torch.sqrt(squares.sum(dim=dims, keepdim=True) + self.eps)
        scale = self.scale.reshape((1, -1) + (1,) * (x.dim() - 2)) if self.scale.numel() > 1 else self.scale
        return x / norm * scale


@add_converter("Normalize", param_shapes=normalize_param_shapes)
def normalize(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Normalize(spec, blobs[0])
