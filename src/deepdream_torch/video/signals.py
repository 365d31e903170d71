"""Ctrl-C and SIGTERM during a long run: finish the frame in flight, save, close the video, then stop."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by the first SIGINT or SIGTERM while the block runs.

    The run checks it between frames: the frame being dreamed is finished and saved, the video closed. A
    second signal raises KeyboardInterrupt at once, dropping the frame in flight (for a user who will not
    wait for a slow frame); the run still closes its files. Previous handlers are restored on exit. Off the
    main thread, where Python cannot install handlers, signals keep their usual effect.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {number: signal.signal(number, handle) for number in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
