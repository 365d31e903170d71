"""Errors raised while reading Caffe files or addressing a converted net's blobs."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from deepdream_torch.errors import DeepDreamError


class CaffeFormatError(DeepDreamError):
    """A prototxt or caffemodel that cannot be read, or that does not fit the net it is loaded into."""


class UnknownBlobError(CaffeFormatError):
    """A blob name that the net does not have; the message lists the closest names."""

    def __init__(self, name: str, known: Iterable[str]):
        known = list(known)
        close = difflib.get_close_matches(name, known, n=5, cutoff=0.4)
        hint = f"closest: {', '.join(close)}" if close else f"the net has {len(known)} blobs; list them with --mode 5"
        super().__init__(f"unknown blob {name!r} ({hint})")
        self.name = name
        self.close_matches = close


class UnconvertedBlobError(CaffeFormatError):
    """A blob of the net that depends on a layer whose type deepdream-torch cannot convert."""

    def __init__(self, name: str, layer: str, type_name: str):
        where = "is the output of" if name == layer else "comes after"
        super().__init__(
            f"blob {name!r} {where} layer {layer!r} of type {type_name!r}, which deepdream-torch cannot convert; "
            "dream a blob before it (list them with --mode 5)"
        )
        self.name, self.layer, self.type = name, layer, type_name
