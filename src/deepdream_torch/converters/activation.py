"""Element-wise layers: ReLU (with negative_slope), PReLU, Sigmoid, TanH, Power, and Dropout (identity at test time)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from deepdream_torch.caffe.net_spec import LayerSpec, Shape
from deepdream_torch.converters.registry import add_converter, frozen


class ReLU(nn.Module):
    def __init__(self, negative_slope: float):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(x, self.negative_slope) if self.negative_slope else F.relu(x)


class PReLU(nn.Module):
    def __init__(self, slope: torch.Tensor):
        super().__init__()
        self.weight = frozen(slope)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        slope = self.weight.reshape((1, -1) + (1,) * (x.dim() - 2)) if self.weight.numel() > 1 else self.weight
        return torch.where(x > 0, x, x * slope)


class Power(nn.Module):
    """Caffe's Power layer: (shift + scale * x) ** power."""

    def __init__(self, power: float, scale: float, shift: float):
        super().__init__()
        self.power, self.scale, self.shift = power, scale, shift

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x * self.scale + self.shift if (self.scale != 1 or self.shift != 0) else x
        return y if self.power == 1 else y.pow(self.power)


class Elementwise(nn.Module):
    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.function(x)


@add_converter("ReLU")
def relu(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return ReLU(spec.param("relu_param").negative_slope)


def prelu_param_shapes(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> list[Shape]:
    return [(1,)] if spec.param("prelu_param").channel_shared else [(bottom_shapes[0][1],)]


@add_converter("PReLU", param_shapes=prelu_param_shapes)
def prelu(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return PReLU(blobs[0])


@add_converter("Sigmoid")
def sigmoid(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Elementwise(torch.sigmoid)


@add_converter("TanH")
def tanh(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Elementwise(torch.tanh)


@add_converter("Power")
def power(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    p = spec.param("power_param")
    return Power(p.power, p.scale, p.shift)


@add_converter("Dropout")
def dropout(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    # Caffe's dropout scales at training time, so at test time it passes its input through unchanged.
    return nn.Identity()
