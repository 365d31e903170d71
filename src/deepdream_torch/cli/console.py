"""Where the CLI writes: results on stdout, progress bars and notes on stderr (so `deepdream ... > log` keeps
the results and the terminal keeps the bars)."""

from __future__ import annotations

import errno

from rich.console import Console


class _Console(Console):
    """A rich console whose closed pipe (``deepdream zoo list | head -1``) is reported like any failure of the world.

    rich's own answer is a silent ``SystemExit(1)``; raising ``BrokenPipeError`` instead lets the CLI say in one
    line that the output was cut (``cli/failures.py``).
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True  # nothing more is written to the closed pipe
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


def out() -> Console:
    """Results: tables, the paths written."""
    return _Console(highlight=False, soft_wrap=True)


def err() -> Console:
    """Progress bars and notes."""
    return _Console(stderr=True, highlight=False, soft_wrap=True)
