"""The gradient-ascent step rule, as pure functions of tensors."""

from __future__ import annotations

import torch

# A blank gradient (every unit of the target blob dead) would divide 0 by 0; with this floor it moves nothing.
_SMALLEST_MEAN = 1e-12


def ascend(x: torch.Tensor, grad: torch.Tensor, step_size: float) -> torch.Tensor:
    """``x + step_size / mean(|grad|) * grad``, the mean taken per item so each item takes the step it would
    take alone."""
    scale = grad.abs().mean(dim=(1, 2, 3), keepdim=True).clamp_min(_SMALLEST_MEAN)
    return x + grad * (step_size / scale)


def clip(x: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    """Keep every value a pixel can hold: per channel, from -mean to 255 - mean."""
    return torch.minimum(torch.maximum(x, low), high)
