"""The run's events as JSON lines on the file descriptor ``DEEPDREAM_EVENTS_FD`` names, beside the console's bar.

A program that runs ``deepdream`` in a child process (the studio) opens a pipe, lets the child inherit its write
end and names it in this variable: it then reads the runner's events (``runner.json_events``) instead of the
console's wording. Without the variable the run reports to the console alone.
"""

from __future__ import annotations

import os
from typing import IO

from deepdream_torch.cli.errors import CliError
from deepdream_torch.runner import Reporter
from deepdream_torch.runner.json_events import JsonEvents, Tee
from deepdream_torch.runner.run import Job

EVENTS_FD = "DEEPDREAM_EVENTS_FD"


def teed(reporter: Reporter, job: Job) -> Reporter:
    """``reporter``, and the JSON events of ``job`` too when ``DEEPDREAM_EVENTS_FD`` names a descriptor."""
    stream = events_stream()
    return reporter if stream is None else Tee(reporter, JsonEvents(stream, job))


def events_stream() -> IO[str] | None:
    """The text stream on ``DEEPDREAM_EVENTS_FD`` (left open for the process's life), None when it is not set."""
    value = os.environ.get(EVENTS_FD, "").strip()
    if not value:
        return None
    try:
        fd = int(value)
        return os.fdopen(fd, "w", encoding="utf-8", buffering=1, closefd=False)
    except (ValueError, OSError) as error:
        raise CliError(f"{EVENTS_FD}={value!r} is not an open file descriptor to write the run's events to"
                       f" ({error}); unset it to run without them") from error
