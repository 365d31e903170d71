"""Fixtures every test package shares: the ../shared data folder, and small random-weight models."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared folder beside the checkout (real models and media); tests skip where it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): real models and media are not available here")
    return SHARED


@pytest.fixture(autouse=True)
def _sigint_as_found():
    """Each test starts and leaves SIGINT as the test process had it: a CLI run in-process installs the command's
    handler, marks its outcome decided and ignores SIGINT on its way out (right for a process that then exits), which
    would otherwise reach the next test's in-process or child Ctrl-C."""
    from deepdream_torch import interrupts

    handler = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, handler)
    interrupts._answered.clear()
