"""Eltwise: SUM (with per-bottom coefficients), PROD and MAX of several bottoms."""

from __future__ import annotations

import torch
from torch import nn

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import LayerSpec
from deepdream_torch.converters.registry import add_converter

EltwiseOp = caffe_pb2.EltwiseParameter


class Eltwise(nn.Module):
    def __init__(self, operation: int, coefficients: list[float]):
        super().__init__()
        self.operation = operation
        self.coefficients = coefficients

    def forward(self, *bottoms: torch.Tensor) -> torch.Tensor:
        if self.operation == EltwiseOp.SUM:
            coefficients = self.coefficients or [1.0] * len(bottoms)
            out = bottoms[0] * coefficients[0] if coefficients[0] != 1 else bottoms[0]
            for bottom, c in zip(bottoms[1:], coefficients[1:]):
                out = out + (bottom * c if c != 1 else bottom)
            return out
        out = bottoms[0]
        for bottom in bottoms[1:]:
            out = out * bottom if self.operation == EltwiseOp.PROD else torch.maximum(out, bottom)
        return out


@add_converter("Eltwise")
def eltwise(spec: LayerSpec, blobs: list[torch.Tensor]) -> nn.Module:
    p = spec.param("eltwise_param")
    coefficients = list(p.coeff)
    if coefficients and (p.operation != EltwiseOp.SUM or len(coefficients) != len(spec.bottoms)):
        raise CaffeFormatError(
            f"layer {spec.name!r}: Eltwise takes one coeff per bottom, and only for SUM "
            f"({len(coefficients)} given for {len(spec.bottoms)} bottoms)"
        )
    return Eltwise(p.operation, coefficients)
