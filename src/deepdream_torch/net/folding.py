"""Batch norm folded into the convolution before it: the same function in one pass instead of three.

A ResNet (open_nsfw, ResNet-50, …) follows nearly every convolution with a BatchNorm (Caffe's: stored statistics,
no affine part) and a Scale. At inference both are a per-channel ``y = a * x + b``, so the three layers are one
convolution with weights ``W * a`` and bias ``b0 * a + b`` (``a``, ``b`` of the two layers composed). On the CPU the
two per-channel passes and their backward passes cost more than the convolution itself (profile of a 960×540
open_nsfw step: batch norm, scale multiply and add, and under bf16 autocast the Scale's fp32 type promotion and the
casts back, were 60–70 % of the step); folded, a dream step takes 1.6× less time in fp32 and 2.7× less in bf16
(benchmarks/README.md, "folding").

The folded convolution computes the same function up to float rounding (about 1e-6 relative in fp32), not the same
bits, so ``CaffeNet`` folds only inside its ``folding()`` block, which the dream kernel enters: a plain forward
stays the layer-by-layer computation the converter checks against OpenCV. A chain is folded only where nothing
can see the values it skips: the convolution's and the batch norm's outputs are read by the next layer of the
chain alone (in place, as ResNets write them, or never read again) and are not asked for by name, the batch norm
uses its stored statistics, and no parameter of the chain requires grad.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from deepdream_torch.converters.batch_norm import BatchNorm, Scale
from deepdream_torch.converters.conv import Convolution


@dataclass(frozen=True)
class Chain:
    """Steps ``start`` (a convolution) to ``stop - 1`` (its batch norm, then maybe a scale) run as one."""

    start: int
    stop: int


def find_chains(steps: Sequence, modules: Sequence[nn.Module], last_read: dict[str, int]) -> dict[int, Chain]:
    """Every foldable chain of ``steps`` (each run by the module at the same index), by its first step."""
    chains: dict[int, Chain] = {}
    index = 0
    while index < len(steps) - 1:
        stop = _chain_stop(steps, modules, last_read, index)
        if stop is not None:
            chains[index] = Chain(index, stop)
            index = stop
        else:
            index += 1
    return chains


def _chain_stop(steps: Sequence, modules: Sequence[nn.Module], last_read: dict[str, int], index: int) -> int | None:
    conv = modules[index]
    if not isinstance(conv, Convolution) or conv.transposed or len(steps[index].tops) != 1:
        return None
    if not _reads_alone(steps, last_read, index) or not isinstance(modules[index + 1], BatchNorm):
        return None
    if not modules[index + 1].use_global_stats:
        return None
    stop = index + 2
    if stop < len(steps) and _is_channel_scale(modules[stop]) and _reads_alone(steps, last_read, index + 1):
        stop += 1
    return stop


def _reads_alone(steps: Sequence, last_read: dict[str, int], index: int) -> bool:
    """Whether step ``index``'s one top is read by step ``index + 1`` alone, as its one bottom, which writes it
    over in place or is its last reader."""
    (top,) = steps[index].tops
    after = steps[index + 1]
    return after.bottoms == (top,) and len(after.tops) == 1 and (after.tops == (top,) or last_read.get(top) == index + 1)


def _is_channel_scale(module: nn.Module) -> bool:
    return isinstance(module, Scale) and not module.two_bottoms and module.axis in (1, -3) and module.weight.dim() == 1


def folded_weights(modules: Sequence[nn.Module]) -> tuple[torch.Tensor, torch.Tensor]:
    """The weight and bias of the one convolution that ``modules`` (convolution, batch norm[, scale]) compute."""
    conv, norm, *rest = modules
    with torch.no_grad():
        factor = torch.where(norm.scale_factor == 0, 0.0, 1.0 / norm.scale_factor)
        gain = torch.rsqrt(norm.variance * factor + norm.eps)
        shift = -norm.mean * factor * gain
        if rest:
            (scale,) = rest
            gain, shift = gain * scale.weight, shift * scale.weight
            if scale.bias is not None:
                shift = shift + scale.bias
        weight = conv.weight * gain.reshape(-1, *([1] * (conv.weight.dim() - 1)))
        bias = shift if conv.bias is None else conv.bias * gain + shift
    return weight, bias


def trainable(modules: Sequence[nn.Module]) -> bool:
    """Whether any parameter of ``modules`` requires grad (then the chain runs as it is written)."""
    return any(p.requires_grad for module in modules for p in module.parameters())
