"""sha1 of a caffemodel, streamed, and its `<caffemodel>.sha1` sidecar so later runs need not re-read the file.

The sidecar is written in `sha1sum` format (`<hex>  <file name>`), so `sha1sum -c` checks it too. It is trusted
while it is at least as new as the caffemodel, the same rule `make` uses; replacing the caffemodel makes it stale.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_CHUNK = 1 << 20
SIDECAR_SUFFIX = ".sha1"


def file_sha1(path: Path) -> str:
    """The sha1 of a file, read in 1 MiB chunks (a 500 MB caffemodel is never held in memory)."""
    digest = hashlib.sha1()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sidecar_path(caffemodel: Path) -> Path:
    return caffemodel.with_name(caffemodel.name + SIDECAR_SUFFIX)


def write_sidecar(caffemodel: Path, sha1: str) -> Path:
    """Record a caffemodel's sha1 beside it (written after the caffemodel, so it is the newer file)."""
    sidecar = sidecar_path(caffemodel)
    tmp = sidecar.with_name(sidecar.name + ".tmp")
    tmp.write_text(f"{sha1}  {caffemodel.name}\n", encoding="utf-8")
    os.replace(tmp, sidecar)
    return sidecar


def read_sidecar(caffemodel: Path) -> str | None:
    """The sidecar's sha1 if it is present, well-formed and not older than the caffemodel, else None.

    A caffemodel that is absent counts as unchanged: weights converted from it can still be used.
    """
    sidecar = sidecar_path(caffemodel)
    try:
        fields = sidecar.read_text(encoding="utf-8").split()
        sidecar_mtime = sidecar.stat().st_mtime_ns
    except OSError:
        return None
    if len(fields) != 2 or fields[1] != caffemodel.name or len(fields[0]) != 40:
        return None
    try:
        if caffemodel.stat().st_mtime_ns > sidecar_mtime:
            return None
    except FileNotFoundError:
        pass
    return fields[0].lower()


def caffemodel_sha1(caffemodel: Path, *, write: bool = True) -> str:
    """The caffemodel's sha1: from a fresh sidecar, else computed (and recorded in a new sidecar if `write`)."""
    known = read_sidecar(caffemodel)
    if known is not None:
        return known
    sha1 = file_sha1(caffemodel)
    if write:
        try:
            write_sidecar(caffemodel, sha1)
        except OSError:
            pass  # a read-only model folder (e.g. a mounted volume): the sha1 is simply recomputed next time
    return sha1
