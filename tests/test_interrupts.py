"""The command's SIGINT handler: KeyboardInterrupt as Python's own, except that one landing inside an import waits
until the import is done (a half-imported torch cannot be imported again), and none once the command answered."""

from __future__ import annotations

import builtins
import signal
import sys
import threading
import time

import pytest

from deepdream_torch import interrupts


def test_outside_an_import_it_raises_keyboard_interrupt():
    with pytest.raises(KeyboardInterrupt):
        interrupts.handle(signal.SIGINT, sys._getframe())
    assert interrupts.raises_keyboard_interrupt(interrupts.handle)
    assert interrupts.raises_keyboard_interrupt(signal.default_int_handler)
    assert not interrupts.raises_keyboard_interrupt(signal.SIG_IGN)


def test_inside_an_import_it_waits_for_the_import_and_then_interrupts(tmp_path, monkeypatch):
    # A module whose import is "interrupted" half-way: the handler must let it finish, then raise.
    (tmp_path / "slow_module_for_interrupts.py").write_text(
        "import signal, sys, time\n"
        "from deepdream_torch import interrupts\n"
        "interrupts.handle(signal.SIGINT, sys._getframe())  # Ctrl-C in the middle of the module's body\n"
        "time.sleep(0.2)\n"
        "FINISHED = True\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    previous = signal.signal(signal.SIGINT, interrupts.handle)
    try:
        with pytest.raises(KeyboardInterrupt):
            import slow_module_for_interrupts  # noqa: F401

            deadline = time.monotonic() + 5  # as the import statement returns, or at the retry just after
            while time.monotonic() < deadline:
                time.sleep(0.01)
        assert sys.modules["slow_module_for_interrupts"].FINISHED
        time.sleep(3 * interrupts.RETRY_SECONDS)
        assert not interrupts._holding[0]  # delivered once: nothing held for later
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.modules.pop("slow_module_for_interrupts", None)
        builtins.__import__ = getattr(builtins.__import__, "original", builtins.__import__)


def test_install_keeps_a_handler_someone_else_set():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        interrupts.install()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_off_the_main_thread_install_does_nothing():
    before = signal.getsignal(signal.SIGINT)
    worker = threading.Thread(target=interrupts.install)
    worker.start()
    worker.join()
    assert signal.getsignal(signal.SIGINT) is before


def test_once_answered_a_press_changes_nothing_but_only_under_the_handler(monkeypatch):
    monkeypatch.setattr(interrupts, "_answered", threading.Event())
    interrupts.answered()  # Python's own handler in place (pytest): nothing changes
    with pytest.raises(KeyboardInterrupt):
        interrupts.handle(signal.SIGINT, sys._getframe())
    previous = signal.signal(signal.SIGINT, interrupts.handle)
    try:
        interrupts.answered()
        interrupts.handle(signal.SIGINT, sys._getframe())  # no KeyboardInterrupt: the answer stands
    finally:
        signal.signal(signal.SIGINT, previous)
