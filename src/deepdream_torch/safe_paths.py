"""No output is an input: every path a run writes is checked against the files it reads.

A run names its inputs once (``with protect({"picture": path, "guide picture": guide}):``); every write that goes
through ``atomic.atomic_write`` (frames, pictures, contact sheets, manifests, converted weights) is then refused if
its target is one of them, and modes check their other outputs (videos, converted files) up front with
``refuse_overwrite`` before any work is done. Two paths are the same file when they resolve to one path (symlinks,
``..``) or, both existing, are one inode (hard links, bind mounts).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from deepdream_torch.errors import DeepDreamError

_protected: list[tuple[str, Path]] = []  # (what, path) of the inputs of the runs in progress


class OverwriteRefused(DeepDreamError):
    """An output path is one of the run's inputs; nothing was written."""


def same_file(first: str | os.PathLike[str], second: str | os.PathLike[str]) -> bool:
    """Whether two paths name one file: equal once resolved, or the same inode when both exist."""
    a, b = Path(first), Path(second)
    try:
        if a.resolve() == b.resolve():
            return True
    except (OSError, RuntimeError):  # a symlink loop: compare what exists
        pass
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@contextmanager
def protect(inputs: Mapping[str, str | os.PathLike[str] | None]) -> Iterator[None]:
    """While the block runs, ``refuse_overwrite`` (and so every atomic write) refuses these inputs as outputs.
    ``inputs`` maps what the file is to the user ("picture", "guide picture", "video") to its path; None is
    skipped."""
    added = [(what, Path(path)) for what, path in inputs.items() if path is not None]
    _protected.extend(added)
    try:
        yield
    finally:
        for entry in added:
            _protected.remove(entry)


def refuse_overwrite(
    outputs: Iterable[str | os.PathLike[str]],
    inputs: Mapping[str, str | os.PathLike[str] | None] | None = None,
    error: type[DeepDreamError] = OverwriteRefused,
) -> None:
    """Raise ``error`` (one line) when one of ``outputs`` is one of ``inputs`` or of the protected inputs."""
    known = [(what, Path(path)) for what, path in (inputs or {}).items() if path is not None] + _protected
    for output in outputs:
        for what, source in known:
            if same_file(output, source):
                raise error(
                    f"refusing to write {output}: it is the {what} {source}, which would be overwritten; "
                    "choose another output path (e.g. another folder with -o)"
                )


def refuse_writes_into(
    folder: str | os.PathLike[str],
    written: Callable[[str], bool],
    inputs: Mapping[str, str | os.PathLike[str] | None] | None = None,
    error: type[DeepDreamError] = OverwriteRefused,
) -> None:
    """Raise ``error`` when an input (given or protected) lies in ``folder`` under a name the run writes there
    (``written(name)``): checked before a run whose output names are known only as a pattern (numbered frames)."""
    known = [(what, Path(path)) for what, path in (inputs or {}).items() if path is not None] + _protected
    for what, source in known:
        if written(source.name) and same_file(source.parent, folder):
            raise error(
                f"refusing to write into {folder}: the {what} {source} is there under a name this run writes, "
                "and would be overwritten; choose another output folder (-o) or move the file"
            )
