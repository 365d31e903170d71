"""How a run reports itself: a ``VideoProgress`` the caller provides (the CLI owns the console), or none.

``cli/rich_progress.py`` has the one the CLI shows; tests and notebooks can pass anything with these methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FrameDone:
    """Frame ``number`` is finished: ``done`` of ``total`` frames of the run are (resumed ones included)."""

    number: int
    done: int
    total: int
    seconds: float  # the dreamer's time for this frame (its share of the batch); 0 where nothing was dreamed
    layer: str | None = None
    blend: float | None = None  # the b its input was blended with; None when dreamed as is


class VideoProgress(Protocol):
    """Receives a run's progress; every method is called on the thread that started the run."""

    def start(self, description: str, total: int, done: int) -> None:
        """A run of ``total`` frames begins, ``done`` of them finished earlier (a resumed run)."""

    def frame(self, event: FrameDone) -> None:
        """One more frame is finished."""

    def log(self, level: int, message: str) -> None:
        """A message: level 1 notes (resuming, audio re-encoded), level 2 details. Same shape as the dream's
        ``log``, so that the CLI can pass this method to ``dream_batch`` for its per-octave lines."""


class NoProgress:
    """Reports nothing."""

    def start(self, description: str, total: int, done: int) -> None:
        pass

    def frame(self, event: FrameDone) -> None:
        pass

    def log(self, level: int, message: str) -> None:
        pass


NO_PROGRESS = NoProgress()
