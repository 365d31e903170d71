"""InnerProduct (fully connected): flattens from ``axis`` on, as Caffe does."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec, Shape
from deepdream_torch.converters.registry import add_converter, canonical_axis, frozen


def inner_product_param_shapes(spec: LayerSpec, bottom_shapes: Sequence[Shape]) -> list[Shape]:
    p = spec.param("inner_product_param")
    if p.num_output == 0:
        raise CaffeFormatError(f"layer {spec.name!r}: num_output is missing")
    shape = bottom_shapes[0]
    inputs = math.prod(shape[canonical_axis(p.axis, len(shape), spec) :])
    weight: Shape = (inputs, p.num_output) if p.transpose else (p.num_output, inputs)
    return [weight, (p.num_output,)] if p.bias_term else [weight]


class InnerProduct(nn.Module):
    def __init__(self, spec: LayerSpec, blobs: list[torch.Tensor]):
        super().__init__()
        p = spec.param("inner_product_param")
        self.axis = p.axis
        # Stored as (outputs, inputs), torch's layout, whatever the file's `transpose` says.
        self.weight = frozen(blobs[0].t().contiguous() if p.transpose else blobs[0])
        self.bias = frozen(blobs[1]) if len(blobs) > 1 else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x.flatten(self.axis % x.dim()), self.weight, self.bias)


@add_converter("InnerProduct", param_shapes=inner_product_param_shapes)
def inner_product(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    return InnerProduct(spec, blobs)
