"""Ctrl-C that never lands inside an import: the ``deepdream`` command's SIGINT handler from its first line on.

Python's own handler raises KeyboardInterrupt wherever the main thread is, and one raised while torch is being
imported leaves torch half-imported: whatever imports it next (the code that reports the interrupt) fails with
"partially initialized module 'torch'" instead of the one-line stop. This handler does what Python's does, except
inside an import: there the interrupt waits until the import is done (as the outermost ``import`` statement
returns, or at a retry every ``RETRY_SECONDS``), and is then raised, or handed to whichever handler a run has
installed meanwhile (``video.signals``), as any other.
"""

from __future__ import annotations

import _thread
import builtins
import signal
import sys
import threading
from types import FrameType
from typing import Any

RETRY_SECONDS = 0.05
_held = threading.Lock()
_holding = [False]  # an interrupt is held until the import in progress is done; delivered exactly once
_answered = threading.Event()  # the command's outcome is decided: what is left is saying it and exiting


def handle(signum: int, frame: FrameType | None) -> None:
    """The SIGINT handler: KeyboardInterrupt, held back while an import is in progress, and none once the command
    is answered (its line half-printed and a second one after it would be the only effect)."""
    if _answered.is_set():
        return
    if _importing(frame):
        _hold(signum)
        return
    raise KeyboardInterrupt


def _hold(signum: int) -> None:
    """Deliver the interrupt once the import in progress is done: when the outermost ``import`` statement returns
    (``builtins.__import__``), or else (``importlib.import_module``) at a retry that finds no import running."""
    with _held:
        if _holding[0]:
            return  # held already (a second press while importing is the same stop)
        _holding[0] = True
    if getattr(builtins.__import__, "original", None) is None:
        original = builtins.__import__

        def import_then_interrupt(*args: Any, **options: Any) -> Any:
            module = original(*args, **options)
            if _holding[0]:
                caller = sys._getframe(1)
                if not _importing(caller) and _take():
                    _deliver(signum, caller)
            return module

        import_then_interrupt.original = original  # type: ignore[attr-defined]
        builtins.__import__ = import_then_interrupt  # stays: without an interrupt held it only passes through
    retry = threading.Timer(RETRY_SECONDS, _deliver_again, (signum,))
    retry.daemon = True
    retry.start()


def _take() -> bool:
    """Whether an interrupt was held, no longer held now: whoever takes it delivers it, once."""
    with _held:
        held, _holding[0] = _holding[0], False
    return held


def _deliver(signum: int, frame: FrameType | None) -> None:
    """The held interrupt, to whichever handler is in place now (a run's own, ``video.signals``, may be)."""
    current = signal.getsignal(signal.SIGINT)
    if raises_keyboard_interrupt(current):
        raise KeyboardInterrupt
    if callable(current):
        current(signum, frame)


def _deliver_again(signum: int) -> None:
    # The SIGINT handler in place runs in the main thread as for a signal (``handle`` holds it again when it
    # finds an import still running).
    if _take():
        _thread.interrupt_main(signum)


def install() -> None:
    """Use ``handle`` for SIGINT where Python's default handler is in place (the main thread only)."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is (
        signal.default_int_handler
    ):
        signal.signal(signal.SIGINT, handle)


def answered() -> None:
    """The command's outcome is decided: from now on ``handle`` lets Ctrl-C change nothing (where it is the
    handler: a program that only calls the CLI in-process keeps its own Ctrl-C)."""
    if signal.getsignal(signal.SIGINT) is handle:
        _answered.set()


def raises_keyboard_interrupt(handler: object) -> bool:
    """Whether ``handler`` is Python's default SIGINT handler or ``handle``, which acts as it does."""
    return handler is signal.default_int_handler or handler is handle


def _importing(frame: FrameType | None) -> bool:
    # A module's body runs under importlib's bootstrap frames (hidden from tracebacks, present on the stack).
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False
