"""Softmax over ``axis`` (the channels by default)."""

from __future__ import annotations

import torch
from torch import nn

from deepdream_torch.caffe.net_spec import LayerSpec
from deepdream_torch.converters.registry import add_converter


class Softmax(nn.Module):
    def __init__(self, axis: int):
        super().__init__()
        self.axis = axis

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(x, dim=self.axis)


@add_converter("Softmax")
def softmax(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Softmax(spec.param("softmax_param").axis)
