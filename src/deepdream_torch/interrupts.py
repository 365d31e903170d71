"""Ctrl-C that never lands inside an import: the ``deepdream`` command's SIGINT handler from its first line on.

Python's own handler raises KeyboardInterrupt wherever the main thread is, and one raised while torch is being
imported leaves torch half-imported: whatever imports it next (the code that reports the interrupt) fails with
"partially initialized module 'torch'" instead of the one-line stop. This handler does what Python's does, except
inside an import: there the interrupt waits until the import is done (rechecked every ``RETRY_SECONDS``), so it is
then raised, or handed to whichever handler a run has installed meanwhile (``video.signals``), as any other.
"""

from __future__ import annotations

import _thread
import signal
import threading
from types import FrameType

RETRY_SECONDS = 0.05
_waiting = threading.Event()  # an interrupt is held until the import in progress is done
_answered = threading.Event()  # the command's outcome is decided: what is left is saying it and exiting


def handle(signum: int, frame: FrameType | None) -> None:
    """The SIGINT handler: KeyboardInterrupt, held back while an import is in progress, and none once the command
    is answered (its line half-printed and a second one after it would be the only effect)."""
    if _answered.is_set():
        return
    if _importing(frame):
        if not _waiting.is_set():
            _waiting.set()
            retry = threading.Timer(RETRY_SECONDS, _deliver_again, (signum,))
            retry.daemon = True
            retry.start()
        return
    raise KeyboardInterrupt


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


def _deliver_again(signum: int) -> None:
    _waiting.clear()
    # Runs the SIGINT handler in place now (ours, or a run's own) in the main thread, as a signal would.
    _thread.interrupt_main(signum)


def _importing(frame: FrameType | None) -> bool:
    # A module's body runs under importlib's bootstrap frames (hidden from tracebacks, present on the stack).
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False
