"""One line for a failure of the world (a full disk, a read-only folder, a file where a folder belongs, a closed
stdout, no memory left): what failed, on which path, what to do, and whose fault it is (the exit code).

A path the user gave that cannot be used (missing, a file in the way, a symlink loop, a name too long) is a
mistake to correct: exit code 2. A machine that cannot do what was asked (disk full, read-only, I/O error, no
permission, out of memory) is exit code 1. Work already saved stays: the message says a rerun resumes.
"""

from __future__ import annotations

import errno
import os

from deepdream_torch.cli.errors import CliError

# The environment variables that name folders; a failing path under one of them is reported with its name.
PATH_VARIABLES = ("DEEPDREAM_OUTPUT", "DEEPDREAM_INPUT", "DEEPDREAM_MODELS", "DEEPDREAM_HOME")

_RERUN = "then run the same command again (work already saved is kept)"
# errno → (what happened, what to do); {path} is the failing path.
_USER_PATH = {
    errno.ENOENT: ("{path} does not exist", "check the path"),
    errno.ENOTDIR: (
        "a part of {path} is a file where a folder is expected",
        "move that file away or choose another folder",
    ),
    errno.EEXIST: ("{path} already exists as a file where a folder is expected", "move it or choose another path"),
    errno.EISDIR: ("{path} is a folder where a file is expected", "give a file's path"),
    errno.ELOOP: (
        "{path} is a symbolic link that leads nowhere (a loop or a missing target)",
        "fix the link or give the real path",
    ),
    errno.ENAMETOOLONG: ("the name {path} is too long for the file system", "choose a shorter name"),
}
_MACHINE = {
    errno.ENOSPC: ("no space left on the device writing {path}", f"free some space or choose another folder, {_RERUN}"),
    errno.EDQUOT: ("disk quota exceeded writing {path}", f"free some space or choose another folder, {_RERUN}"),
    errno.EFBIG: ("{path} grew past the largest file allowed here", f"choose another folder, {_RERUN}"),
    errno.EROFS: ("{path} is on a read-only file system", f"choose a writable folder, {_RERUN}"),
    errno.EACCES: ("no permission to use {path}", f"check its permissions or choose another folder, {_RERUN}"),
    errno.EPERM: ("the operation on {path} is not permitted", f"check its permissions or choose another folder, {_RERUN}"),
    errno.EIO: ("input/output error on {path}", f"check the disk, {_RERUN}"),
    errno.EMFILE: ("too many open files (at {path})", f"raise the limit (ulimit -n), {_RERUN}"),
    errno.ENFILE: ("too many open files in the system (at {path})", _RERUN),
    errno.ENOMEM: ("out of memory (at {path})", f"close other programs or use smaller inputs, {_RERUN}"),
    errno.EPIPE: ("the standard output was closed before everything was written", "read the whole output"),
}


class WorldFailure(CliError):
    """An OSError or MemoryError told in one line, with exit code 2 (a path to correct) or 1 (the machine)."""

    def __init__(self, message: str, exit_code: int, broken_stdout: bool = False) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.broken_stdout = broken_stdout


def world_failure(error: OSError | MemoryError) -> WorldFailure:
    """The one-line form of ``error``."""
    if isinstance(error, MemoryError):
        return WorldFailure(
            "out of memory: use smaller pictures or fewer octaves, close other programs, or add memory", 1
        )
    path = _path_of(error)
    code = error.errno
    if code in (errno.EEXIST, errno.ENOTDIR, errno.ENOENT) and _dangling_link(path):
        code = errno.ELOOP  # mkdir on a link to nowhere says "exists"; the link is what to fix
    if code in _USER_PATH:
        what, todo = _USER_PATH[code]
        return WorldFailure(f"{what.format(path=path)}{_variable_of(error)}: {todo}", 2)
    if code in _MACHINE:
        what, todo = _MACHINE[code]
        return WorldFailure(f"{what.format(path=path)}{_variable_of(error)}: {todo}", 1, code == errno.EPIPE)
    if code is None:
        # No errno: a library's complaint about a file's content (PIL's "cannot identify image file"...).
        return WorldFailure(f"{error}: check the input file", 2)
    reason = error.strerror or os.strerror(code)
    return WorldFailure(f"{reason.lower()} at {path}{_variable_of(error)}: {_RERUN}", 1)


def _path_of(error: OSError) -> str:
    # A rename's failure names the destination second: the path the user chose (the first is a temporary name).
    name = error.filename2 if error.filename2 is not None else error.filename
    if name is None:
        return "a file"
    return os.fsdecode(name) if isinstance(name, bytes) else str(name)


def _dangling_link(path: str) -> bool:
    """Whether ``path`` or a folder above it is a symbolic link that does not lead to anything."""
    candidate = os.path.abspath(path)
    while candidate != os.path.dirname(candidate):
        if os.path.islink(candidate) and not os.path.exists(candidate):
            return True
        candidate = os.path.dirname(candidate)
    return False


def _variable_of(error: OSError) -> str:
    """`` (from DEEPDREAM_X=value)`` when the failing path lies in a folder an environment variable named."""
    if error.filename is None and error.filename2 is None:
        return ""
    path = os.path.abspath(_path_of(error))
    here = os.getcwd()
    matches = []  # the most specific folder wins: DEEPDREAM_HOME may lie inside DEEPDREAM_MODELS's folder
    for name in PATH_VARIABLES:
        value = os.environ.get(name)
        if not value:
            continue
        folder = os.path.abspath(value)
        # A folder holding the working folder holds every relative path typed (-o out): no hint of where it came from.
        if _inside(here, folder):
            continue
        if _inside(path, folder):
            matches.append((len(folder), name, value))
    if not matches:
        return ""
    _, name, value = max(matches)
    return f" (from {name}={value})"


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
