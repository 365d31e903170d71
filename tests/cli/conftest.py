"""Fixtures of the CLI tests: an isolated working folder (data/, models, store), a stand-in bvlc_googlenet, a
generated clip, and a loopback web server standing in for the zoo."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from deepdream_torch.cli.sample import write_sample_clip
from deepdream_torch.weights.checksum import write_sidecar
from tests.cli.cli_helpers import (
    BVLC_GOOGLENET_SHA1,
    CLIP_FRAMES,
    CLIP_SIZE,
    GOOGLENET_LIKE,
    isolate,
    write_model,
)


@pytest.fixture(autouse=True)
def one_thread(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Torch on one thread here and in the processes the tests start: the nets are tiny, and on a busy 2-core
    machine two OpenMP threads waiting for each other made these runs 5-10x slower (measured: 2 s against 14 s)."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test runs in its own folder: data/ is relative to it, models are under models/, the store (converted
    weights) under home/, and the zoo mirror is a closed local port, so no test can reach the network."""
    return isolate(tmp_path, monkeypatch, "DEEPDREAM_DEBUG")


@pytest.fixture
def googlenet(workdir: Path) -> Path:
    """A stand-in for a downloaded bvlc_googlenet: its customloop blob names on a tiny net, in the models root.

    The sidecar records the published sha1, as a real download would, so the zoo takes the folder as complete
    (nothing is fetched); the CLI's default model and layers are then used as they are.
    """
    folder = write_model(workdir / "models" / "bvlc_googlenet", "bvlc_googlenet.caffemodel", GOOGLENET_LIKE)
    write_sidecar(folder / "bvlc_googlenet.caffemodel", BVLC_GOOGLENET_SHA1)
    return folder


@pytest.fixture
def clip(workdir: Path) -> Path:
    """``data/videos/my_video.mp4``: 6 frames of 64x48, no audio."""
    width, height = CLIP_SIZE
    return write_sample_clip(workdir / "data/videos/my_video.mp4", width, height, seconds=CLIP_FRAMES / 12, fps=12)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A web server on 127.0.0.1 (port chosen by the system) serving the folder this fixture returns, set as
    DEEPDREAM_ZOO_MIRROR: put files at ``<folder>/<model name>/<file name>``."""
    served = tmp_path / "mirror"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("DEEPDREAM_ZOO_MIRROR", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
