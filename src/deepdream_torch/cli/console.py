"""Where the CLI writes: results on stdout, progress bars and notes on stderr (so `deepdream ... > log` keeps
the results and the terminal keeps the bars)."""

from __future__ import annotations

from rich.console import Console


def out() -> Console:
    """Results: tables, the paths written."""
    return Console(highlight=False, soft_wrap=True)


def err() -> Console:
    """Progress bars and notes."""
    return Console(stderr=True, highlight=False, soft_wrap=True)
