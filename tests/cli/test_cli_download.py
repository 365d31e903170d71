"""`deepdream zoo get` against a hostile mirror on 127.0.0.1: one line, nothing kept in the model folder, and the
same command works once the mirror serves the real files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deepdream_torch.weights import download as download_module
from tests.cli.cli_helpers import one_line_error, run
from tests.weights.loopback import LoopbackServer, Served

PORTAL = b"<!DOCTYPE html><html><body>Log in to continue</body></html>\n"
# what the hostile server does with the prototxt: (how, body)
HOSTILE = {
    "endless body": ("endless", b""),
    "slow drip": ("drip", b"#" * 100_000),
    "captive portal page": (None, PORTAL),
    "lying content-length": ("lying", b'name: "x"\n' + b'layer { name: "r" type: "ReLU" bottom: "d" top: "d" }\n' * 50),
}


@pytest.fixture
def hostile_mirror(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackServer]:
    with LoopbackServer(Served()) as server:
        monkeypatch.setenv("DEEPDREAM_ZOO_MIRROR", f"{server.url}/zoo")
        # Seconds, not minutes, for the drip to fall behind: 0.5 s of grace, then 1 KB/s on average.
        monkeypatch.setattr(download_module, "DEADLINE_GRACE_S", 0.5)
        monkeypatch.setattr(download_module, "MIN_RATE", 1000)
        yield server


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_mirror_is_one_line_and_leaves_no_model_folder(
    name: str, hostile_mirror: LoopbackServer, workdir: Path
) -> None:
    how, body = HOSTILE[name]
    path = "/zoo/bvlc_googlenet/deploy.prototxt"
    hostile_mirror.served.files[path] = body
    if how:
        hostile_mirror.served.hostile[path] = how
    line = one_line_error(run("zoo", "get", "bvlc_googlenet"))
    assert "deploy.prototxt" in line or "bvlc_googlenet" in line
    folder = workdir / "models" / "bvlc_googlenet"
    assert not folder.exists() or list(folder.iterdir()) == [], list(folder.iterdir())
