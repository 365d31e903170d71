"""The studio as a person meets it: the ``deepdream studio`` command in a child process, and Debian's chromium
driven by Playwright (never a downloaded browser build). Tests skip, saying why, where either is missing."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("STUDIO_BROWSER", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# Where the screenshots go: the README's (docs/) only when asked (STUDIO_SCREENSHOTS=docs), so that a test run never
# rewrites tracked files; otherwise a scratch folder, still written and looked at by the test.
DOCS = (
    Path(__file__).resolve().parents[2] / "docs"
    if os.environ.get("STUDIO_SCREENSHOTS") == "docs"
    else Path(tempfile.gettempdir()) / "deepdream-studio-screenshots"
)
DOCS.mkdir(parents=True, exist_ok=True)


def need_browser() -> None:
    if not CHROMIUM.is_file():
        pytest.skip(f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium) to run the"
                    " studio's browser tests")
    pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def studio_server(data: Path, port: int | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """``deepdream studio --data DATA --port PORT`` until the block ends; yields the printed address."""
    port = port or free_port()
    server = subprocess.Popen([sys.executable, "-m", "deepdream_torch.cli", "studio", "--data", str(data), "--port",
                               str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line)
        assert match, f"the studio printed {line!r}"
        _wait_listening(port)
        yield match[1], server
    finally:
        if server.poll() is None:
            server.send_signal(2)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def _wait_listening(port: int, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"the studio does not listen on port {port}")


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
