"""What each failure of the world says and its exit code (``cli/failures.py``), and that a bug keeps its traceback."""

from __future__ import annotations

import errno
import os

import pytest

from deepdream_torch.cli import zoo_menu
from deepdream_torch.cli.failures import world_failure
from tests.cli.cli_helpers import run

# (the error, exit code, words of the line)
FAILURES = [
    (OSError(errno.ENOSPC, "No space left on device", "out/f.jpg"), 1, ["no space left", "out/f.jpg", "run the same"]),
    (OSError(errno.EDQUOT, "Disk quota exceeded", "out/f.jpg"), 1, ["quota", "out/f.jpg"]),
    (OSError(errno.EFBIG, "File too large", "out/f.jpg"), 1, ["largest file", "out/f.jpg"]),
    (OSError(errno.EROFS, "Read-only file system", "/ro/out"), 1, ["read-only", "/ro/out", "writable folder"]),
    (OSError(errno.EACCES, "Permission denied", "/x"), 1, ["permission", "/x"]),
    (OSError(errno.EIO, "Input/output error", "/x"), 1, ["input/output", "/x", "check the disk"]),
    (OSError(errno.ENOTDIR, "Not a directory", "afile/v"), 2, ["afile/v", "is a file where a folder"]),
    (OSError(errno.EEXIST, "File exists", "afile"), 2, ["afile", "a folder is expected"]),
    (OSError(errno.EISDIR, "Is a directory", ".x.part", None, "adir"), 2, ["adir", "folder where a file"]),
    (OSError(errno.ELOOP, "Too many levels of symbolic links", "loop"), 2, ["loop", "symbolic link"]),
    (OSError(errno.ENAMETOOLONG, "File name too long", "n" * 300), 2, ["n" * 300, "too long"]),
    (OSError(errno.ENOENT, "No such file or directory", "gone.mp4"), 2, ["gone.mp4", "does not exist"]),
    (BrokenPipeError(errno.EPIPE, "Broken pipe"), 1, ["standard output was closed"]),
    (OSError(errno.ENOSPC, "No space left on device"), 1, ["no space left", "a file"]),  # a write() names no file
    (OSError("cannot identify image file"), 2, ["cannot identify image file"]),  # PIL's, no errno
    (MemoryError(), 1, ["out of memory"]),
]


@pytest.mark.parametrize(("error", "code", "words"), FAILURES, ids=[repr(f[0])[:60] for f in FAILURES])
def test_each_failure_of_the_world_has_its_line_and_exit_code(error: OSError, code: int, words: list[str]) -> None:
    failure = world_failure(error)
    assert failure.exit_code == code
    assert "\n" not in str(failure)
    for word in words:
        assert word in str(failure)


def test_a_path_under_an_environment_variable_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPDREAM_MODELS", "/data")
    monkeypatch.setenv("DEEPDREAM_HOME", "/data/home")
    failure = world_failure(OSError(errno.ENOTDIR, "Not a directory", "/data/home/converted"))
    assert "(from DEEPDREAM_HOME=/data/home)" in str(failure)  # the most specific of the two


def test_a_path_typed_in_the_working_folder_is_not_blamed_on_a_variable_above_it(
    workdir: os.PathLike[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPDREAM_MODELS", os.path.dirname(workdir))  # e.g. DEEPDREAM_MODELS=$HOME, run in a project
    failure = world_failure(OSError(errno.EEXIST, "File exists", "out"))  # `-o out`, a file in the way
    assert "out already exists" in str(failure) and "DEEPDREAM_MODELS" not in str(failure)


def test_a_dangling_symlink_in_the_way_is_named_as_such(tmp_path: os.PathLike[str]) -> None:
    link = os.path.join(tmp_path, "out")
    os.symlink(os.path.join(tmp_path, "nowhere"), link)
    failure = world_failure(OSError(errno.EEXIST, "File exists", link))
    assert "symbolic link that leads nowhere" in str(failure) and failure.exit_code == 2


def test_memory_running_out_in_a_command_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_memory(numbered: bool = True) -> None:
        raise MemoryError

    monkeypatch.setattr(zoo_menu, "zoo_table", no_memory)
    result = run("zoo", "list")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "deepdream: error: out of memory: use smaller pictures or fewer octaves, close other programs, or add memory"
    ]


def test_a_bug_still_shows_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(numbered: bool = True) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(zoo_menu, "zoo_table", broken)
    result = run("zoo", "list")
    assert isinstance(result.exception, ZeroDivisionError)  # not turned into a line: the report we want
