"""A conversion cache the machine will not let us write (full disk, read-only store, file size limit, no
permission) costs one warning, not the dream: the net converted in memory is returned, the same as from the cache,
and nothing is left half-written in the store."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from deepdream_torch import atomic
from deepdream_torch.net.load import load_caffe
from deepdream_torch.weights.cache import CacheNotWritten, load_model
from deepdream_torch.weights.errors import ZooError
from tests.faults import file_size_limit, read_only, tiny_disk
from tests.weights.tiny_net import tiny_model

BLOBS = ["conv1", "pool1", "fc"]


def outputs(net: torch.nn.Module) -> dict[str, torch.Tensor]:
    x = torch.randn(1, 3, 20, 20, generator=torch.Generator().manual_seed(1)) * 50
    with torch.no_grad():
        return net(x, outputs=BLOBS)


def files_in(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def fill(folder: Path) -> None:
    """Write into ``folder`` until its disk is full."""
    descriptor = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError as error:
        assert error.errno == errno.ENOSPC
    finally:
        os.close(descriptor)


@contextmanager
def full_disk(folder: Path) -> Iterator[Path]:
    with tiny_disk(folder, "64k") as disk:
        fill(disk)
        yield disk


@contextmanager
def read_only_store(folder: Path) -> Iterator[Path]:
    with read_only(folder, lambda mounted: (mounted / "converted").mkdir()) as store:
        yield store


@contextmanager
def no_permission(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A store where creating a file is refused with EACCES (what permission bits do to a user that is not
    root: tests run as root, which they do not stop), refused at the os.open every cache file starts with."""
    folder.mkdir(parents=True)

    def refusing_open(path: os.PathLike[str] | str, flags: int, *args: object, **kwargs: object) -> int:
        if Path(path).is_relative_to(folder) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return os.open(path, flags, *args, **kwargs)

    monkeypatch.setattr(atomic, "os", SimpleNamespace(**{**vars(os), "open": refusing_open}))
    yield folder


STORES = {
    "full disk": "no space left",
    "read-only store": "read-only file system",
    "no permission": "permission denied",
}


@pytest.mark.parametrize("store", list(STORES))
def test_a_cache_that_cannot_be_written_is_one_warning_and_the_net_in_memory(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    expected = outputs(load_caffe(prototxt, caffemodel))
    places = {
        "full disk": lambda: full_disk(tmp_path / "home"),
        "read-only store": lambda: read_only_store(tmp_path / "home"),
        "no permission": lambda: no_permission(tmp_path / "home", monkeypatch),
    }
    with places[store]() as home:
        monkeypatch.setenv("DEEPDREAM_HOME", str(home))
        before = files_in(home)
        with pytest.warns(CacheNotWritten) as warned:
            net = load_model(prototxt, caffemodel)
        assert files_in(home) == before  # no entry, no temporary file left behind
    (warning,) = warned
    message = str(warning.message)
    assert "\n" not in message
    assert (
        STORES[store] in message
        and str(home / "converted") in message
        and f"DEEPDREAM_HOME={home}" in message
    )
    for name, value in expected.items():
        assert torch.equal(outputs(net)[name], value), name


def test_a_file_size_limit_on_the_cache_is_one_warning(tmp_path: Path) -> None:
    """RLIMIT_FSIZE (EFBIG) holds for a whole process: the load runs in a child, which prints its outputs."""
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    home = tmp_path / "home"
    script = textwrap.dedent(
        f"""
        import json
        import torch
        from deepdream_torch.weights.cache import load_model
        net = load_model({str(prototxt)!r}, {str(caffemodel)!r}, warn=lambda line: print("warned:", line))
        x = torch.randn(1, 3, 20, 20, generator=torch.Generator().manual_seed(1)) * 50
        with torch.no_grad():
            print("fc:", json.dumps(net(x, outputs=["fc"])["fc"].flatten().tolist()))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False,
        env={**os.environ, "DEEPDREAM_HOME": str(home)}, preexec_fn=file_size_limit(1000),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stdout.splitlines() if line.startswith("warned:")]
    assert len(warned) == 1 and "file too large" in warned[0]
    (fc_line,) = [line for line in done.stdout.splitlines() if line.startswith("fc:")]
    fc = torch.tensor(json.loads(fc_line.removeprefix("fc:")))
    assert torch.allclose(fc, outputs(load_caffe(prototxt, caffemodel))["fc"].flatten())
    assert not files_in(home)


def test_a_store_that_is_a_file_is_still_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A path to correct, not a machine that refuses: the user is told, as before.
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    (tmp_path / "afile").write_text("a file where the store belongs")
    monkeypatch.setenv("DEEPDREAM_HOME", str(tmp_path / "afile"))
    with pytest.raises(OSError) as raised:
        load_model(prototxt, caffemodel)
    assert raised.value.errno in (errno.ENOTDIR, errno.EEXIST)
    assert not isinstance(raised.value, ZooError)


def test_a_disk_that_fills_between_the_weights_and_their_description_leaves_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    real_write_text = atomic.write_text

    def full_for_descriptions(path: os.PathLike[str] | str, text: str) -> Path:
        if str(path).endswith(".json"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_write_text(path, text)

    monkeypatch.setattr("deepdream_torch.weights.cache.write_text", full_for_descriptions)
    with pytest.warns(CacheNotWritten, match="no space left"):
        load_model(prototxt, caffemodel)
    assert not files_in(tmp_path / "home")  # the weights written first went again
