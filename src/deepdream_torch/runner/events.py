"""What a run tells its front end (the ``Reporter`` events) and how a front end stops it (``Cancel``).

A reporter is called on the thread that called ``run``: ``started`` once per phase (dreaming, assembling, ...),
``frame_done`` per finished frame with its timing, ``note`` for one-line messages, ``step`` for the dream's
octave and iteration inside a frame, then ``finished`` with the result or ``interrupted`` with where things are.
The rich progress bar (``cli/rich_progress.py``) is one reporter; a web page is another.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from deepdream_torch.video.progress import FrameDone
from deepdream_torch.video.signals import FIRST_MESSAGE, Stop

if TYPE_CHECKING:
    from deepdream_torch.runner.runs import Result

__all__ = ["Cancel", "FrameDone", "NoReporter", "Reporter", "Started", "Stopped"]


@dataclass(frozen=True)
class Started:
    """A phase of a run begins (``what``: "dreaming", "assembling", "extracting", "zooming", "pictures"): ``total``
    items (frames, or layers of a single picture), ``done`` of them finished by an earlier run."""

    what: str
    total: int
    done: int = 0


@dataclass(frozen=True)
class Stopped:
    """A run stopped before its end (Ctrl-C, SIGTERM or ``Cancel.cancel``), its files closed: ``done`` frames (the
    layers of a single picture) are in the folder, ``message`` says where things are and how to go on (the same
    run again resumes), ``partial`` is the playable partial video when the mode writes one."""

    done: int
    message: str
    partial: Path | None = None


class Reporter(Protocol):
    """Receives a run's events, every one on the thread that called ``run``."""

    def started(self, event: Started) -> None:
        """A phase begins."""

    def frame_done(self, event: FrameDone) -> None:
        """One more frame (or picture) is finished, with the dreamer's seconds for it."""

    def note(self, level: int, message: str) -> None:
        """A one-line message: level 1 notes (resuming, where the video went), level 2 details (per-octave lines)."""

    def step(self, step: Any) -> None:
        """The dream's progress inside the frame in flight (``dreaming.loop.DreamProgress``: octave, iteration)."""

    def finished(self, result: Result) -> None:
        """The run is complete; ``run`` returns ``result`` next."""

    def interrupted(self, event: Stopped) -> None:
        """The run stopped early, resumable; ``run`` raises ``VideoInterrupted`` next."""


class NoReporter:
    """Reports nothing (tests, scripts)."""

    def started(self, event: Started) -> None:
        pass

    def frame_done(self, event: FrameDone) -> None:
        pass

    def note(self, level: int, message: str) -> None:
        pass

    def step(self, step: Any) -> None:
        pass

    def finished(self, result: Result) -> None:
        pass

    def interrupted(self, event: Stopped) -> None:
        pass


class Cancel:
    """A token a front end keeps to stop a run from any thread: ``cancel()`` does what the first Ctrl-C does (the
    frame in flight is finished and saved, the partial video closed, the run ends ``interrupted`` and the same run
    again resumes). Cancelling before the run starts stops it before its first frame."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._stops: list[tuple[Stop, Any]] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            stops = list(self._stops)
        for stop, notify in stops:
            _stop_once(stop, notify)

    @contextmanager
    def bound(self, stop: Stop, notify: Any) -> Iterator[None]:
        """While the block runs, ``cancel()`` sets ``stop`` (the run's, which Ctrl-C sets too)."""
        with self._lock:
            self._stops.append((stop, notify))
            cancelled = self._cancelled
        if cancelled:
            _stop_once(stop, notify)
        try:
            yield
        finally:
            with self._lock:
                self._stops.remove((stop, notify))


def _stop_once(stop: Stop, notify: Any) -> None:
    # Only the first signal's effect: a second Ctrl-C interrupts the dreamer on the main thread, which a call
    # from another thread must never do.
    if not stop.is_set():
        stop.set()
        notify(FIRST_MESSAGE)
