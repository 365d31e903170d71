"""Fixtures of the studio tests: a data folder with a picture and a clip, a tiny random-weight model in the models
root, and the app behind its gate, reached as a browser on this machine would (Host 127.0.0.1:8765)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the studio's extra (fastapi) is not installed")

from fastapi.testclient import TestClient

from deepdream_torch.studio.app import create_app
from deepdream_torch.studio.security import host_names
from tests.cli.cli_helpers import GOOGLENET_LIKE, isolate, write_model, write_picture
from tests.video.video_clips import write_clip

TOKEN = "test-token-0123456789"
BASE = "http://127.0.0.1:8765"
MODEL = "tiny.caffemodel"


@pytest.fixture(autouse=True)
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Torch on one thread in the jobs' processes too: tiny nets, a busy 2-core machine."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``<tmp>/data`` with ``single_pictures/p.jpg`` and ``videos/clip.mp4`` (8 frames, 64x48); the tiny model at
    ``<tmp>/models/tiny/`` (the models root); no network."""
    isolate(tmp_path, monkeypatch)
    write_model(tmp_path / "models" / "tiny", MODEL, GOOGLENET_LIKE)
    folder = tmp_path / "data"
    write_picture(folder / "single_pictures" / "p.jpg", 64, 48)
    (folder / "videos").mkdir(parents=True)
    write_clip(folder / "videos" / "clip.mp4", frames=8)
    return folder


def make_client(data: Path, **options: object) -> TestClient:
    return TestClient(create_app(data, TOKEN, host_names("127.0.0.1"), **options), base_url=BASE)


@pytest.fixture
def client(data: Path) -> Iterator[TestClient]:
    """A client that already holds the token cookie (it opened the printed address), jobs not running."""
    with make_client(data, run_jobs=False) as client:
        assert client.get(f"/?token={TOKEN}").status_code == 200
        yield client


def post(client: TestClient, path: str, body: object = None, **headers: str):
    """A change as the page sends it: JSON with the X-Studio header and the page's own Origin."""
    return client.post(path, json=body if body is not None else {},
                       headers={"X-Studio": "1", "Origin": BASE, **headers})


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A loopback web server standing in for the zoo (as the CLI tests' own): files at ``<folder>/<model>/``."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    served = tmp_path / "mirror"
    served.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("DEEPDREAM_ZOO_MIRROR", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
