"""Files written whole or not at all: written under a temporary name beside the target, then renamed into place.

A rename within one folder is atomic, so a reader (a resumed run, mode 3, another tool) sees the old file or
the new one, never half of one, whatever stops the writer: Ctrl-C, ``kill -9``, a full disk, a file size limit.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deepdream_torch.safe_paths import refuse_overwrite

TEMPORARY_MARK = ".part"


def temporary_path(path: Path) -> Path:
    """A fresh hidden name beside ``path`` that keeps its suffix (``.clip.3f2a9c1b.part.mp4``), so writers that
    pick a format from the suffix (PyAV, PIL, torch.onnx) still do."""
    path = Path(path)
    return path.with_name(f".{path.stem}.{secrets.token_hex(4)}{TEMPORARY_MARK}{path.suffix}")


@contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends normally it replaces ``path``.

    The temporary file already exists, empty, with the permissions a plain ``open(path, "w")`` would give
    (``mkstemp``'s 0600 would make caches unreadable to other users). On any exception, Ctrl-C included, it is
    removed and ``path`` is left as it was. A ``path`` that is an input of the run (``safe_paths.protect``) is
    refused before anything is written.
    """
    path = Path(path)
    refuse_overwrite([path])
    temporary = temporary_path(path)
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.errno is not None and error.filename is None:
            error.filename = str(path)  # a failed write() names no file; the CLI's one line needs it
        raise


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """``Path(path).write_text(text)``, atomically (UTF-8)."""
    with atomic_write(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike[str], data: bytes | memoryview) -> Path:
    """``Path(path).write_bytes(data)``, atomically."""
    with atomic_write(path) as temporary:
        temporary.write_bytes(data)
    return Path(path)
