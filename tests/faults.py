"""Failures of the world for tests that run as root (where permission bits stop nothing): a tiny disk, a read-only
folder (both tmpfs mounts, skipped with the reason when mounting is refused) and a file-size limit for a child
process (RLIMIT_FSIZE, which needs no privilege)."""

from __future__ import annotations

import resource
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(folder: Path, *options: str) -> Iterator[Path]:
    """``folder`` as a fresh tmpfs mounted with ``options`` (e.g. ``size=64k``, ``ro``); skips when refused."""
    folder.mkdir(parents=True, exist_ok=True)
    mount = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", ",".join(options or ("size=1m",)), "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mount.stderr.strip() or 'mount refused'})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextmanager
def tiny_disk(folder: Path, size: str = "64k") -> Iterator[Path]:
    """A folder on a disk of ``size``: writing more fails with ENOSPC."""
    with tmpfs(folder, f"size={size}") as mounted:
        yield mounted


@contextmanager
def read_only(folder: Path, populate: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """A read-only folder (writes fail with EROFS even for root); ``populate`` fills it before it turns read-only."""
    with tmpfs(folder, "size=4m") as mounted:
        if populate is not None:
            populate(mounted)
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(mounted)], capture_output=True, text=True, check=False
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only here ({remount.stderr.strip()})")
        yield mounted


def file_size_limit(limit_bytes: int) -> Callable[[], None]:
    """A ``preexec_fn`` for subprocess: no file the child writes may exceed ``limit_bytes`` (EFBIG past it)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return limit
