"""How a job runs: the ``deepdream`` command itself, in a child process, its runner events read from a pipe.

The queue only needs ``start`` (a command line in), events out (``run``, ``started``, ``frame``, ``step``,
``note``, ``finished``, ``interrupted``, ``failed``) and ``cancel``. Running the CLI makes the studio's job the
terminal's run exactly (same flags, same checks, same folders and manifest), and a killed server loses no frame.
The child reports through the runner's ``Reporter`` interface: the CLI tees its JSON events
(``runner.json_events``) to the pipe named by ``DEEPDREAM_EVENTS_FD``; its console output is kept as the job's log
and never parsed. Cancelling is the CLI's Ctrl-C: SIGINT, which stops after the frame being dreamed and leaves a
resumable run. The child gets SIGINT too when the server dies (PR_SET_PDEATHSIG), so a killed server leaves no
run dreaming on unseen.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepdream_torch.cli.event_stream import EVENTS_FD

INTERRUPTED_EXIT = 130
PR_SET_PDEATHSIG = 1
LOG_LINES = 200  # the end of the console's output kept per job (its failure's one line is the last)


@dataclass(frozen=True)
class Event:
    """One runner event as the child wrote it (``kind`` is its ``"event"``; ``fields`` the rest), or ``failed``."""

    kind: str
    fields: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


Report = Callable[[Event], None]


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGINT)


class CliRun:
    """One job's ``deepdream`` process; ``wait`` reads its events until it ends, ``log`` keeps its console lines."""

    def __init__(self, argv: list[str], workdir: Path) -> None:
        read, write = os.pipe()
        env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200", NO_COLOR="1", TERM="dumb")
        env[EVENTS_FD] = str(write)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "deepdream_torch.cli", *argv], cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                start_new_session=True, pass_fds=(write,),
                # prctl only: no lock or allocation between fork and exec
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
            )
        except BaseException:
            os.close(read)
            raise
        finally:
            os.close(write)  # the child's copy only: the pipe ends when the child does
        self.events = os.fdopen(read, "r", encoding="utf-8", errors="replace")
        self.log: deque[str] = deque(maxlen=LOG_LINES)
        self.cancelled = False

    def wait(self, report: Report) -> int:
        """Report the run's events until it exits; returns its exit code."""
        reader = threading.Thread(target=self._read_log, name="studio-job-log", daemon=True)
        reader.start()
        ended: Event | None = None  # said once the process's exit code agrees
        with self.events:
            for line in self.events:
                event = _event_of(line)
                if event is not None and event.kind in ("finished", "interrupted"):
                    ended = event
                elif event is not None:
                    report(event)
        code = self.process.wait()
        reader.join(timeout=10)
        last = self.log[-1] if self.log else ""
        if code == 0:
            report(ended if ended is not None and ended.kind == "finished" else Event("finished"))
        elif code == INTERRUPTED_EXIT or self.cancelled:
            report(ended if ended is not None and ended.kind == "interrupted" else Event("interrupted"))
        else:
            report(Event("failed", {"message": last or f"the run ended with exit code {code}"}))
        return code

    def cancel(self) -> None:
        """Ctrl-C: stop after the frame being dreamed, resumable."""
        self.cancelled = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def _read_log(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            line = line.rstrip()
            if line and "━" not in line:  # rich's bars, drawn once at the end off a terminal
                self.log.append(line)


def _event_of(line: str) -> Event | None:
    """The event on one line of the pipe; None for a line that is not one (nothing else writes there)."""
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("event"), str):
        return None
    kind = value.pop("event")
    return Event(kind, value)
