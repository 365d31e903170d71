"""Read trained weights from a ``.caffemodel`` without holding several copies of it in memory.

A caffemodel is a serialized NetParameter whose layers carry their weights as BlobProto messages; VGG-16's is 528 MB.
Parsing it whole with protobuf holds the file's bytes, the parsed message and then the numpy copies at once. Instead
we walk the protobuf wire format with Caffe's field numbers (those of ``caffe.proto``): the top level and each layer
are scanned tag by tag, and every packed float array is read with one ``readinto`` straight into the numpy array that
keeps it, so the peak is about one copy of the weights. The small parts (blob shapes) go through protobuf. All three
layer formats are read: current ``layer``, V1 ``layers``, and V0 (a V1 block whose weights sit in its ``layer``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from google.protobuf.message import DecodeError

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.layer_types import V0_TYPE_NAMES, V1_TYPE_NAMES

# Field numbers from Caffe's schema (caffe.proto), for the messages we scan by hand.
NET_LAYER, NET_V1_LAYERS = 100, 2
LAYER_NAME, LAYER_TYPE, LAYER_BLOBS = 1, 2, 7
V1_NAME, V1_TYPE, V1_BLOBS, V1_V0_LAYER = 4, 5, 6, 1
V0_NAME, V0_TYPE, V0_BLOBS = 1, 2, 50
BLOB_NUM, BLOB_CHANNELS, BLOB_HEIGHT, BLOB_WIDTH = 1, 2, 3, 4
BLOB_DATA, BLOB_SHAPE, BLOB_DOUBLE_DATA = 5, 7, 8

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5


@dataclass
class BlobData:
    """One parameter blob: its values (flat float32) and the shape the file declares for it."""

    values: np.ndarray
    shape: tuple[int, ...]
    legacy: bool  # the shape came from the deprecated num/channels/height/width fields


@dataclass
class LayerWeights:
    name: str
    type: str
    blobs: list[BlobData]


def read_caffemodel(path: str | Path) -> dict[str, LayerWeights]:
    """Every layer of the file that carries weights, by layer name, in file order."""
    path = Path(path)
    try:
        size = path.stat().st_size
        handle = path.open("rb")
    except FileNotFoundError:
        raise CaffeFormatError(f"caffemodel not found: {path}") from None
    except OSError as exc:
        raise CaffeFormatError(f"cannot read caffemodel {path}: {exc}") from None
    with handle:
        try:
            layers = _read_net(_WireReader(handle, size))
        except CaffeFormatError as exc:
            raise CaffeFormatError(f"{path}: {exc}") from None
    if not layers:
        raise CaffeFormatError(f"{path}: holds no layer weights; is it a .caffemodel (and not a prototxt)?")
    return layers


class _WireReader:
    def __init__(self, handle: BinaryIO, size: int):
        self.handle = handle
        self.size = size

    def tell(self) -> int:
        return self.handle.tell()

    def read(self, count: int) -> bytes:
        data = self.handle.read(count)
        if len(data) != count:
            raise CaffeFormatError("the file is truncated (it ends inside a message); download it again")
        return data

    def varint(self) -> int:
        result = shift = 0
        while True:
            byte = self.read(1)[0]
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift > 63:
                raise CaffeFormatError(f"not a caffemodel: malformed data at byte {self.tell()}")

    def fields(self, end: int) -> Iterator[tuple[int, int, int]]:
        """Yield (field number, wire type, value) up to ``end``; for length-delimited fields value is the length
        and the reader stands at the payload; whatever the consumer leaves unread is skipped."""
        while self.tell() < end:
            key = self.varint()
            number, wire = key >> 3, key & 7
            if number == 0:
                raise CaffeFormatError(f"not a caffemodel: invalid field at byte {self.tell()}")
            if wire == VARINT:
                yield number, wire, self.varint()
            elif wire == FIXED64:
                yield number, wire, struct.unpack("<Q", self.read(8))[0]
            elif wire == FIXED32:
                yield number, wire, struct.unpack("<I", self.read(4))[0]
            elif wire == LENGTH_DELIMITED:
                length = self.varint()
                start = self.tell()
                if start + length > end:
                    raise CaffeFormatError("the file is truncated (a message runs past its end); download it again")
                yield number, wire, length
                self.handle.seek(start + length)
            else:
                raise CaffeFormatError(f"not a caffemodel: unexpected wire type {wire} at byte {self.tell()}")
        if self.tell() != end:
            raise CaffeFormatError("not a caffemodel: a message overruns its declared length")


def _read_net(reader: _WireReader) -> dict[str, LayerWeights]:
    layers: dict[str, LayerWeights] = {}
    for number, wire, length in reader.fields(reader.size):
        if wire != LENGTH_DELIMITED or number not in (NET_LAYER, NET_V1_LAYERS):
            continue
        layer = _read_layer(reader, reader.tell() + length, legacy_format=number == NET_V1_LAYERS)
        # Caffe copies weights layer by layer by name; a name seen twice (train and test copies) keeps the first.
        if layer.blobs and layer.name not in layers:
            layers[layer.name] = layer
    return layers


def _read_layer(reader: _WireReader, end: int, legacy_format: bool) -> LayerWeights:
    name_field, type_field, blobs_field = (
        (V1_NAME, V1_TYPE, V1_BLOBS) if legacy_format else (LAYER_NAME, LAYER_TYPE, LAYER_BLOBS)
    )
    name, type_name, blobs = "", "", []
    for number, wire, value in reader.fields(end):
        if number == name_field and wire == LENGTH_DELIMITED:
            name = _text(reader.read(value))
        elif number == type_field and wire == LENGTH_DELIMITED and not legacy_format:
            type_name = _text(reader.read(value))
        elif number == type_field and wire == VARINT and legacy_format:
            type_name = _v1_type_name(value)
        elif number == blobs_field and wire == LENGTH_DELIMITED:
            blobs.append(_read_blob(reader, reader.tell() + value))
        elif number == V1_V0_LAYER and legacy_format and wire == LENGTH_DELIMITED:
            # A V0 net (before 2014): the layer's name, type and weights live in the V0 message inside.
            return _read_v0_layer(reader, reader.tell() + value)
    return LayerWeights(name=name, type=type_name, blobs=blobs)


def _read_v0_layer(reader: _WireReader, end: int) -> LayerWeights:
    name, type_name, blobs = "", "", []
    for number, wire, value in reader.fields(end):
        if number == V0_NAME and wire == LENGTH_DELIMITED:
            name = _text(reader.read(value))
        elif number == V0_TYPE and wire == LENGTH_DELIMITED:
            raw = _text(reader.read(value))
            type_name = V0_TYPE_NAMES.get(raw, raw)
        elif number == V0_BLOBS and wire == LENGTH_DELIMITED:
            blobs.append(_read_blob(reader, reader.tell() + value))
    return LayerWeights(name=name, type=type_name, blobs=blobs)


def _read_blob(reader: _WireReader, end: int) -> BlobData:
    chunks: list[np.ndarray] = []
    legacy_dims = [0, 0, 0, 0]
    shape: tuple[int, ...] | None = None
    for number, wire, value in reader.fields(end):
        if number == BLOB_DATA and wire == LENGTH_DELIMITED:
            chunks.append(_read_packed(reader, value, np.dtype("<f4")))
        elif number == BLOB_DATA and wire == FIXED32:  # unpacked encoding: legal protobuf, never written by Caffe
            chunks.append(np.array([value], dtype="<u4").view("<f4"))
        elif number == BLOB_DOUBLE_DATA and wire == LENGTH_DELIMITED:
            chunks.append(_read_packed(reader, value, np.dtype("<f8")).astype(np.float32))
        elif number == BLOB_DOUBLE_DATA and wire == FIXED64:
            chunks.append(np.array([value], dtype="<u8").view("<f8").astype(np.float32))
        elif number == BLOB_SHAPE and wire == LENGTH_DELIMITED:
            try:
                shape = tuple(caffe_pb2.BlobShape.FromString(reader.read(value)).dim)
            except DecodeError:
                raise CaffeFormatError("not a caffemodel: a blob shape cannot be decoded") from None
        elif number in (BLOB_NUM, BLOB_CHANNELS, BLOB_HEIGHT, BLOB_WIDTH) and wire == VARINT:
            legacy_dims[number - 1] = value
    if len(chunks) == 1:
        values = chunks[0]
    else:
        values = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    if shape is None:
        return BlobData(values=values, shape=tuple(legacy_dims), legacy=True)
    return BlobData(values=values, shape=shape, legacy=False)


def _read_packed(reader: _WireReader, length: int, dtype: np.dtype) -> np.ndarray:
    if length % dtype.itemsize:
        raise CaffeFormatError("not a caffemodel: a packed number array has a ragged length")
    values = np.empty(length // dtype.itemsize, dtype=dtype)
    if reader.handle.readinto(memoryview(values).cast("B")) != length:
        raise CaffeFormatError("the file is truncated (it ends inside a weight array); download it again")
    return values if dtype.byteorder in ("=", "|") or dtype.isnative else values.astype(dtype.newbyteorder("="))


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CaffeFormatError("not a caffemodel: a layer name is not text") from None


def _v1_type_name(value: int) -> str:
    try:
        enum_name = caffe_pb2.V1LayerParameter.LayerType.Name(value)
    except ValueError:
        return f"V1 type {value}"
    return V1_TYPE_NAMES.get(enum_name, enum_name)
