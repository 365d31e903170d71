"""Ctrl-C and SIGTERM during a long run: finish the frame in flight, save, close the video, then stop.

The first signal asks for a stop after the frame being dreamed and says so at once. A second one drops that
frame, but only while the dreamer runs (``Stop.interruptible``): anywhere else (the saver thread draining, the
encoder flushing, the partial video being closed) it is noted and the shutdown goes on, so that however fast the
user presses, the frames dreamed so far are saved and the partial video plays.
"""

from __future__ import annotations

import atexit
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE_SECONDS = 2.0
FIRST_MESSAGE = "stopping after this frame (Ctrl-C again to stop now)"
SECOND_MESSAGE = "stopping now: saving the frames dreamed so far and closing the video"


class Stop(threading.Event):
    """Set by the first signal (the run stops between frames); ``now`` after a second one."""

    def __init__(self) -> None:
        super().__init__()
        self.now = False
        self._interruptible = 0

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        """Within this block a second signal raises KeyboardInterrupt: wrap the dreamer call, nothing that
        writes files."""
        self._interruptible += 1
        try:
            yield
        finally:
            self._interruptible -= 1

    def signalled(self, notify: Callable[[str], None]) -> None:
        """What a signal does (the handler, also callable from tests)."""
        if not self.is_set():
            self.set()
            _tell(notify, FIRST_MESSAGE)
            return
        if not self.now:
            self.now = True
            _tell(notify, SECOND_MESSAGE)
        if self._interruptible:
            raise KeyboardInterrupt


def _tell(notify: Callable[[str], None], message: str) -> None:
    try:
        notify(message)
    except OSError:
        pass  # stderr closed (a terminal gone, a broken pipe): the stop itself must still happen cleanly


_current: dict[int, Stop] = {}  # the Stop of the run under way on each thread
_exit_quietly: list[bool] = []  # once a run was stopped: SIGINT is ignored while the interpreter exits


@contextmanager
def stop_on_signals(notify: Callable[[str], None] | None = None) -> Iterator[Stop]:
    """A ``Stop`` that SIGINT and SIGTERM set while the block runs; ``notify`` gets the one-line messages.

    Nested blocks on one thread share the outermost one's ``Stop`` (and handlers), so that the runner holds one
    for a run's whole shutdown (closing the video after the frames) and a programmatic cancel reaches every loop.
    Previous handlers are restored on exit. Off the main thread, where Python cannot install handlers, signals
    keep their usual effect and the ``Stop`` is set only by a cancel.
    """
    thread = threading.get_ident()
    if thread in _current:
        yield _current[thread]
        return
    stop = Stop()
    _current[thread] = stop
    try:
        if threading.current_thread() is not threading.main_thread():
            yield stop
        else:
            with _handlers(stop, notify or (lambda message: None)):
                yield stop
    finally:
        del _current[thread]


@contextmanager
def _handlers(stop: Stop, tell: Callable[[str], None]) -> Iterator[None]:
    def handle(signum: int, frame: FrameType | None) -> None:
        stop.signalled(tell)

    previous = {number: signal.signal(number, handle) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            if stop.is_set() and number == signal.SIGINT and handler is signal.default_int_handler:
                handler = _after_stop(time.monotonic())
            signal.signal(number, handler)
        if stop.is_set() and not _exit_quietly:
            _exit_quietly.append(True)
            # Python puts SIGINT back to the system default (death by signal) while it shuts down; a press then
            # would end a stopped run with -SIGINT instead of its exit code.
            atexit.register(signal.signal, signal.SIGINT, signal.SIG_IGN)


def _after_stop(stopped: float) -> Callable[[int, FrameType | None], None]:
    """The SIGINT handler once a stopped run has returned: a press within ``GRACE_SECONDS`` belongs to the stop
    already under way and is ignored, so that the caller can report it (one line, exit 130) instead of dying
    with a traceback; later presses are plain KeyboardInterrupts again."""

    def handle(signum: int, frame: FrameType | None) -> None:
        if time.monotonic() - stopped > GRACE_SECONDS:
            signal.default_int_handler(signum, frame)

    return handle
