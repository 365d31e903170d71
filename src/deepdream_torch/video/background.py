"""Threads that keep decoding and encoding going while the dreamer runs: a prefetching reader and a writer.

Both hand items over through bounded queues (memory stays a few frames), keep order, and bring an exception
raised on their thread back to the caller's thread.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
_POLL_SECONDS = 0.1
_END = object()

# Frames queued on each side of the dreamer: enough to ride out a slow decode or a slow save, few enough that
# a 4K run holds well under a gigabyte.
QUEUE_FRAMES = 4


@dataclass(frozen=True)
class _Failure:
    error: BaseException


class Prefetch(Generic[T]):
    """Iterates ``make()`` on a thread, up to ``ahead`` items before the consumer.

    ``make`` is called on the thread, so the files its generator opens are opened and closed there. Use as a
    context manager: leaving it early stops the thread and closes the generator.
    """

    def __init__(self, make: Callable[[], Iterator[T]], ahead: int, name: str = "prefetch") -> None:
        self._make = make
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, ahead))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.exhausted = False  # True once every item was handed over
        self.handed = 0  # items handed over so far

    def __enter__(self) -> Prefetch[T]:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        while self._thread.is_alive():
            self._drain()
            self._thread.join(_POLL_SECONDS)

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        if self.exhausted:
            raise StopIteration
        item = self._queue.get()
        if item is _END:
            self.exhausted = True
            raise StopIteration
        if isinstance(item, _Failure):
            self.exhausted = True
            raise item.error
        self.handed += 1
        return item  # type: ignore[return-value]

    def _run(self) -> None:
        items = None
        try:
            items = self._make()
            for item in items:
                if not self._put(item):
                    return
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, which raises it
            self._put(_Failure(error))
            return
        finally:
            # A generator's `with` blocks (an open container) close here, on the thread that opened them.
            close = getattr(items, "close", None)
            if close is not None:
                close()
        self._put(_END)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _drain(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass


class Sink(Generic[T]):
    """Calls ``consume(item)`` on a thread for every item ``put``, in order, at most ``behind`` items behind.

    Leaving the context waits until every item put so far is consumed (also when leaving on an exception, so
    that finished work is saved); an exception from ``consume`` is raised by the next ``put`` or on leaving.
    """

    def __init__(self, consume: Callable[[T], None], behind: int, name: str = "sink") -> None:
        self._consume = consume
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(1, behind))
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._error: BaseException | None = None

    def __enter__(self) -> Sink[T]:
        self._thread.start()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        interrupted = False
        while True:
            # Waits out a second Ctrl-C too: the queue holds a few frames, and the consumer must be done with
            # its files before the caller closes them.
            try:
                self._hand(_END)
                self._thread.join()
                break
            except KeyboardInterrupt:
                interrupted = True
        if interrupted and exc is None:
            raise KeyboardInterrupt
        if self._error is not None and exc is None:
            raise self._error

    def put(self, item: T) -> None:
        """Queue ``item``; blocks while the consumer is ``behind`` items behind."""
        self._hand(item)
        if self._error is not None:
            raise self._error

    def _hand(self, item: object) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        while (item := self._queue.get()) is not _END:
            try:
                self._consume(item)  # type: ignore[arg-type]
            except BaseException as error:  # noqa: BLE001 - raised again on the caller's thread
                self._error = error
                return
