"""Element-wise layers: ReLU (with negative_slope), PReLU, ELU, Sigmoid, TanH, AbsVal, BNLL, Power, Exp, Log,
Threshold, and Dropout (identity at test time).

Threshold is a step (1 above the threshold, else 0): a dream can read its blob, but its gradient is zero
everywhere, so a dream on it (or on a blob that depends on the input only through it) never changes the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from deepdream_torch.caffe.errors import CaffeFormatError
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


# Caffe's element-wise layers without settings, each one torch function. BNLL is Caffe's log(1 + exp(x)), written
# to stay finite for large x: torch's softplus is the same function.
_FUNCTIONS = {"Sigmoid": torch.sigmoid, "TanH": torch.tanh, "AbsVal": torch.abs, "BNLL": F.softplus}


@add_converter(*_FUNCTIONS)
def elementwise(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Elementwise(_FUNCTIONS[spec.type])


@add_converter("Power")
def power(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    p = spec.param("power_param")
    return Power(p.power, p.scale, p.shift)


class ELU(nn.Module):
    def __init__(self, alpha: float):
        super().__init__()
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.elu(x, self.alpha)


class Exp(nn.Module):
    """Caffe's Exp layer: base ** (shift + scale * x), base e when the prototxt says -1 (its default)."""

    def __init__(self, base: float, scale: float, shift: float):
        super().__init__()
        self.log_base = 1.0 if base == -1 else math.log(base)
        self.scale, self.shift = scale, shift

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp((x * self.scale + self.shift) * self.log_base)


class Log(nn.Module):
    """Caffe's Log layer: log_base(shift + scale * x), the natural log when base is -1 (its default)."""

    def __init__(self, base: float, scale: float, shift: float):
        super().__init__()
        self.inverse_log_base = 1.0 if base == -1 else 1.0 / math.log(base)
        self.scale, self.shift = scale, shift

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.log(x * self.scale + self.shift) * self.inverse_log_base


class Threshold(nn.Module):
    """Caffe's Threshold layer: 1 where x > threshold, else 0 (a step: zero gradient everywhere)."""

    def __init__(self, threshold: float):
        super().__init__()
        self.threshold = threshold

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        step = (x.detach() > self.threshold).to(x.dtype)
        # Tied to x with a zero slope, so autograd (a dream's backward pass) goes through it and gives zeros
        # instead of failing on a blob that no longer depends on the input.
        return step + (x - x.detach()) * 0


def _check_base(spec: LayerSpec, base: float) -> None:
    if base != -1 and base <= 0:
        raise CaffeFormatError(f"layer {spec.name!r} ({spec.type}): base {base:g} must be -1 (e) or positive")


@add_converter("ELU")
def elu(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return ELU(spec.param("elu_param").alpha)


@add_converter("Exp")
def exp(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    p = spec.param("exp_param")
    _check_base(spec, p.base)
    return Exp(p.base, p.scale, p.shift)


@add_converter("Log")
def log(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    p = spec.param("log_param")
    _check_base(spec, p.base)
    return Log(p.base, p.scale, p.shift)


@add_converter("Threshold")
def threshold(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return Threshold(spec.param("threshold_param").threshold)


@add_converter("Dropout")
def dropout(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    # Caffe's dropout scales at training time, so at test time it passes its input through unchanged.
    return nn.Identity()
