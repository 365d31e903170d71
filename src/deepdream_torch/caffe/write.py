"""Write weights as a ``.caffemodel`` that Caffe (and OpenCV's Caffe importer) reads.

Used for random-weight test models and for one-off exports. Layers are streamed to the file one blob at a time, in
the current format (``layer {}``, N-D blob shapes) or the legacy one (``layers {}``, V1 type enums, 4-D
num/channels/height/width blobs) that old zoo models use.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from deepdream_torch.atomic import atomic_write
from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.caffemodel import (
    BLOB_CHANNELS,
    BLOB_DATA,
    BLOB_HEIGHT,
    BLOB_NUM,
    BLOB_SHAPE,
    BLOB_WIDTH,
    LAYER_BLOBS,
    LENGTH_DELIMITED,
    NET_LAYER,
    NET_V1_LAYERS,
    V1_BLOBS,
    VARINT,
)
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.layer_types import V1_TYPE_NAMES

LayerBlobs = tuple[str, str, Sequence[np.ndarray]]  # (layer name, layer type, its blobs)


def write_caffemodel(path: str | Path, layers: Iterable[LayerBlobs], legacy: bool = False) -> None:
    """Write ``layers`` (name, type such as "Convolution", blobs as float arrays of their Caffe shapes), atomically."""
    with atomic_write(path) as temporary, temporary.open("wb") as out:
        for name, type_name, blobs in layers:
            _write_layer(out, name, type_name, [_float32(b) for b in blobs], legacy)


def _float32(blob: np.ndarray) -> np.ndarray:
    # np.ascontiguousarray would turn a 0-axis blob (a Scale with num_axes 0) into shape (1,).
    array = np.asarray(blob, dtype="<f4")
    return array if array.flags.c_contiguous else array.copy(order="C")


def _write_layer(out: BinaryIO, name: str, type_name: str, blobs: list[np.ndarray], legacy: bool) -> None:
    if legacy:
        header = caffe_pb2.V1LayerParameter(name=name)
        v1_type = {v: k for k, v in V1_TYPE_NAMES.items()}.get(type_name)
        if v1_type is None:
            raise CaffeFormatError(f"layer type {type_name!r} has no legacy (V1) form")
        header.type = caffe_pb2.V1LayerParameter.LayerType.Value(v1_type)
        top_field, blobs_field = NET_V1_LAYERS, V1_BLOBS
    else:
        header = caffe_pb2.LayerParameter(name=name, type=type_name)
        top_field, blobs_field = NET_LAYER, LAYER_BLOBS
    header_bytes = header.SerializeToString()
    blob_heads = [_blob_head(blob, legacy) for blob in blobs]
    blob_lengths = [len(head) + blob.nbytes for head, blob in zip(blob_heads, blobs)]
    layer_length = len(header_bytes) + sum(_key_length(blobs_field, n) + n for n in blob_lengths)
    out.write(_key(top_field, LENGTH_DELIMITED) + _varint(layer_length) + header_bytes)
    for head, blob, length in zip(blob_heads, blobs, blob_lengths):
        out.write(_key(blobs_field, LENGTH_DELIMITED) + _varint(length) + head)
        out.write(memoryview(blob.reshape(-1)).cast("B"))


def _blob_head(blob: np.ndarray, legacy: bool) -> bytes:
    """Everything of a BlobProto but the data values, then the data field's key and length."""
    if legacy:
        if blob.ndim > 4:
            raise CaffeFormatError(f"a legacy blob has at most 4 axes, not {blob.ndim}")
        dims = (1,) * (4 - blob.ndim) + blob.shape
        head = b"".join(
            _key(number, VARINT) + _varint(dim)
            for number, dim in zip((BLOB_NUM, BLOB_CHANNELS, BLOB_HEIGHT, BLOB_WIDTH), dims)
        )
    else:
        shape = caffe_pb2.BlobShape(dim=blob.shape).SerializeToString()
        head = _key(BLOB_SHAPE, LENGTH_DELIMITED) + _varint(len(shape)) + shape
    return head + _key(BLOB_DATA, LENGTH_DELIMITED) + _varint(blob.nbytes)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _key_length(number: int, payload_length: int) -> int:
    return len(_key(number, LENGTH_DELIMITED)) + len(_varint(payload_length))
