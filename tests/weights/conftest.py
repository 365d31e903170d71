"""Every weights test runs with its own store and with downloads pointed at a closed loopback port, so no test
can reach the internet by accident; tests that download start their own server on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.weights.loopback import LoopbackServer, Served


def closed_loopback_url() -> str:
    """An http address on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def isolated_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("DEEPDREAM_HOME", str(home))
    monkeypatch.delenv("DEEPDREAM_MODELS", raising=False)
    monkeypatch.setenv("DEEPDREAM_ZOO_MIRROR", closed_loopback_url())
    return home


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(Served()) as running:
        yield running
