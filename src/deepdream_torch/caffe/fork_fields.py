"""Rewrite the fork fields that change a net into the current format's own terms, once, on the parsed message.

Published nets trained with Caffe forks use a few fields upstream Caffe does not have but that change what the net
computes. Each is turned into what upstream says the same way, so converters only ever read upstream fields:

- pooling ``ceil_mode: false`` (DenseNet's fork, read by OpenCV) is ``round_mode: FLOOR``; ``true`` is ``CEIL``.
- convolution ``hole`` / ``hole_h`` / ``hole_w`` (DeepLab's fork: the filter stride) are ``dilation``.
- dropout ``scale_train: false`` (Faster R-CNN's fork, read by OpenCV) scales by ``1 - dropout_ratio`` at test
  time instead of during training: at inference that is a Power layer of that scale.
"""

from __future__ import annotations

from typing import Any

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError

_POOLING = caffe_pb2.PoolingParameter


def normalise_fork_fields(net: caffe_pb2.NetParameter) -> None:
    for layer in list(net.layer) + list(net.layers):
        _pooling_ceil_mode(layer)
        _convolution_hole(layer)
        _dropout_scale_train(layer)


def _pooling_ceil_mode(layer: Any) -> None:
    if not layer.HasField("pooling_param") or not layer.pooling_param.HasField("ceil_mode"):
        return
    param = layer.pooling_param
    wanted = _POOLING.CEIL if param.ceil_mode else _POOLING.FLOOR
    if param.HasField("round_mode") and param.round_mode != wanted:
        raise CaffeFormatError(
            f"layer {layer.name!r}: pooling_param says both ceil_mode: {str(param.ceil_mode).lower()} and "
            f"round_mode: {_POOLING.RoundMode.Name(param.round_mode)}; keep one"
        )
    param.round_mode = wanted
    param.ClearField("ceil_mode")


def _convolution_hole(layer: Any) -> None:
    if not layer.HasField("convolution_param"):
        return
    param = layer.convolution_param
    if not any(param.HasField(name) for name in ("hole", "hole_h", "hole_w")):
        return
    if param.dilation:
        raise CaffeFormatError(f"layer {layer.name!r}: convolution_param sets both hole and dilation; keep one")
    height = param.hole_h if param.HasField("hole_h") else param.hole
    width = param.hole_w if param.HasField("hole_w") else param.hole
    param.dilation.extend([height] if height == width else [height, width])
    for name in ("hole", "hole_h", "hole_w"):
        param.ClearField(name)


def _dropout_scale_train(layer: Any) -> None:
    if not layer.HasField("dropout_param") or not layer.dropout_param.HasField("scale_train"):
        return
    param = layer.dropout_param
    if not param.scale_train:
        scale = 1.0 - param.dropout_ratio
        if isinstance(layer, caffe_pb2.V1LayerParameter):
            layer.type = caffe_pb2.V1LayerParameter.POWER
        else:
            layer.type = "Power"
        layer.power_param.scale = scale
        layer.ClearField("dropout_param")
    else:
        param.ClearField("scale_train")
