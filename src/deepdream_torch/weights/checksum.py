"""sha1 of a caffemodel, streamed, and its `<caffemodel>.sha1` sidecar so later runs need not re-read the file.

The sidecar is written in `sha1sum` format (`<hex>  <file name>`), so `sha1sum -c` checks it too, with a comment
line recording the caffemodel's size, mtime_ns, ctime_ns, inode and device when it was hashed. It is trusted only
while all of them are unchanged: a caffemodel replaced in any way (a new inode; or rewritten in place, which moves
its ctime) is hashed again, even when its mtime was set back as `cp -p`, `tar x`, `unzip` or `wget` do, since no
user-level call can set a ctime.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from deepdream_torch.atomic import write_text

_CHUNK = 1 << 20
SIDECAR_SUFFIX = ".sha1"
_STAT_FIELDS = ("size", "mtime_ns", "ctime_ns", "inode", "device")


def file_sha1(path: Path) -> str:
    """The sha1 of a file, read in 1 MiB chunks (a 500 MB caffemodel is never held in memory)."""
    digest = hashlib.sha1()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sidecar_path(caffemodel: Path) -> Path:
    return caffemodel.with_name(caffemodel.name + SIDECAR_SUFFIX)


def file_identity(path: Path) -> str:
    """What identifies one version of a file: ``size=.. mtime_ns=.. ctime_ns=.. inode=.. device=..``."""
    info = os.stat(path)
    values = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
    return " ".join(f"{name}={value}" for name, value in zip(_STAT_FIELDS, values, strict=True))


def write_sidecar(caffemodel: Path, sha1: str, identity: str | None = None) -> Path:
    """Record a caffemodel's sha1 beside it, with the ``file_identity`` it has now (or the one given: the
    caffemodel's as it was hashed)."""
    sidecar = sidecar_path(caffemodel)
    identity = identity or file_identity(caffemodel)
    return write_text(sidecar, f"{sha1}  {caffemodel.name}\n# {identity}\n")


def read_sidecar(caffemodel: Path) -> str | None:
    """The sidecar's sha1 if it is present, well-formed and recorded for the caffemodel as it is now, else None.

    A caffemodel that is absent counts as unchanged: weights converted from it can still be used.
    """
    sidecar = sidecar_path(caffemodel)
    try:
        lines = sidecar.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    fields = lines[0].split() if lines else []
    if len(fields) != 2 or fields[1] != caffemodel.name or len(fields[0]) != 40:
        return None
    recorded = lines[1].removeprefix("# ").strip() if len(lines) > 1 else None
    try:
        if recorded != file_identity(caffemodel):
            return None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    return fields[0].lower()


def caffemodel_sha1(caffemodel: Path, *, write: bool = True) -> str:
    """The caffemodel's sha1: from a fresh sidecar, else computed (and recorded in a new sidecar if `write`)."""
    known = read_sidecar(caffemodel)
    if known is not None:
        return known
    before = file_identity(caffemodel)
    sha1 = file_sha1(caffemodel)
    if write and file_identity(caffemodel) == before:  # not replaced while it was read
        try:
            write_sidecar(caffemodel, sha1, before)
        except OSError:
            pass  # a read-only model folder (e.g. a mounted volume): the sha1 is simply recomputed next time
    return sha1


def model_sha1(caffemodel: Path) -> str | None:
    """The caffemodel's sha1 (from its sidecar when the caffemodel is gone), or None when neither can be read."""
    try:
        return caffemodel_sha1(caffemodel)
    except OSError:
        return read_sidecar(caffemodel)
