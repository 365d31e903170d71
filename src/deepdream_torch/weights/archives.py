"""Files taken out of published archives (a gist's zip, a project's tarball), bounded and checked.

Nothing inside an archive chooses where it lands (a gist's files are flattened into the model folder by their
base name; a tarball gives one named member), and nothing inside decides how much is written: each member has a
size cap, a gist a cap on its members and their total, and the bytes copied are counted, whatever the headers
claim. A member is written beside its target, checked, and only then renamed into place.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from deepdream_torch.weights.content import (
    GIST_MEMBERS_MAX,
    GIST_TOTAL_MAX,
    PROTOTXT_MAX,
    Check,
)
from deepdream_torch.weights.download import NoSpace
from deepdream_torch.weights.errors import ZooError

# Files of a gist worth keeping: net descriptions and the readme with the download facts.
GIST_KEEP = (".prototxt", ".md")
_CHUNK = 1 << 20


def extract_tar_member(archive: Path, member: str, target: Path, max_bytes: int, check: Check | None = None) -> None:
    """Copy one named file (at most ``max_bytes``) out of a tar archive to ``target``, checked before the rename."""
    try:
        with tarfile.open(archive) as tar:
            info = tar.getmember(member)
            if info.size > max_bytes:
                raise ZooError(
                    f"{member} in {archive.name} has {info.size} bytes, more than the {max_bytes} such a file can"
                    " have; the published archive has changed"
                )
            source = tar.extractfile(info)
            if source is None:
                raise ZooError(f"{member} in {archive.name} is not a file")
            with source:
                _write_checked(source, target, info.size, max_bytes, check, f"{member} in {archive.name}")
    except KeyError as error:
        raise ZooError(f"{archive.name} has no {member}; the published archive has changed") from error
    except (tarfile.TarError, EOFError) as error:
        raise ZooError(f"{archive.name} is not a readable tar archive ({error}); run again") from error


def extract_gist(archive: Path, folder: Path, check: Check | None = None) -> list[Path]:
    """Keep a gist zip's prototxt and markdown files, flattened into ``folder``; the paths written."""
    try:
        with zipfile.ZipFile(archive) as gist:
            infos = gist.infolist()
            if len(infos) > GIST_MEMBERS_MAX:
                raise ZooError(f"{archive.name} has {len(infos)} files, more than a gist holds ({GIST_MEMBERS_MAX})")
            kept = [info for info in infos if _worth_keeping(info)]
            total = sum(info.file_size for info in kept)
            if total > GIST_TOTAL_MAX:
                raise ZooError(f"{archive.name} unpacks to {total} bytes, more than a gist holds ({GIST_TOTAL_MAX})")
            written = []
            for info in kept:
                target = folder / PurePosixPath(info.filename).name
                with gist.open(info) as source:
                    _write_checked(source, target, info.file_size, PROTOTXT_MAX, check, f"{info.filename} in {archive.name}")
                written.append(target)
            return written
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as error:
        raise ZooError(f"{archive} is not a zip archive ({error}); the gist address may have changed") from error


def _worth_keeping(info: zipfile.ZipInfo) -> bool:
    name = PurePosixPath(info.filename).name
    return not info.is_dir() and name.lower().endswith(GIST_KEEP) and not name.startswith(".") and name != ""


def _write_checked(
    source: BinaryIO, target: Path, size: int, max_bytes: int, check: Check | None, what: str
) -> None:
    if size > max_bytes:
        raise ZooError(f"{what} has {size} bytes, more than the {max_bytes} such a file can have")
    free = shutil.disk_usage(target.parent).free
    if free < size:
        raise NoSpace(
            f"{target.parent} has {free // (1 << 20)} MiB free but {what} needs {size // (1 << 20) + 1} MiB:"
            " free some space and run again"
        )
    tmp = target.with_name(target.name + ".tmp")
    try:
        with open(tmp, "wb") as out:
            copied = 0
            while chunk := source.read(min(_CHUNK, max_bytes + 1 - copied)):
                copied += len(chunk)
                if copied > max_bytes:
                    raise ZooError(f"{what} unpacks to more than {max_bytes} bytes; the archive is not what was published")
                out.write(chunk)
        if check is not None:
            check(tmp)
        os.replace(tmp, target)
    except ZooError as refused:
        tmp.unlink(missing_ok=True)
        if check is not None and what not in str(refused):
            raise ZooError(f"{what} is not usable: {refused}") from refused
        raise
    except BaseException as error:
        tmp.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename is None:
            error.filename = str(target)  # a failed write() names no file
        raise
