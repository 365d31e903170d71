"""How a job runs today: the ``deepdream`` command itself, in a child process, its lines read as events.

This is the one file to change when the runner (``run(job, reporter, cancel)``) can run every mode: the queue
only needs ``start`` (a run value in), events out (``started``, ``frame``, ``note``, ``finished``,
``interrupted``) and ``cancel``. Running the CLI makes the studio's job the terminal's run exactly (same flags,
same checks, same folders and manifest), and cancelling is the CLI's Ctrl-C: SIGINT, which stops after the frame
being dreamed and leaves a resumable run. The child gets SIGINT too when the server dies (PR_SET_PDEATHSIG), so a
killed server leaves no run dreaming on unseen.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FRAME = re.compile(r"^frame (\d+): .*?([\d.]+) s$")
FRAMES_FOLDER = re.compile(r"^frames: (.+) \((\d+) frames\)$")
LAYER_DONE = re.compile(r"^(\S+): (.+\.(?:jpg|png)) \(([\d.]+) s\)$")
INTERRUPTED_EXIT = 130
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Event:
    kind: str  # started, frame, folder, note, finished, interrupted, failed
    frame: int | None = None
    seconds: float | None = None
    text: str = ""
    total: int | None = None


Report = Callable[[Event], None]


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGINT)


class CliRun:
    """One job's ``deepdream`` process; ``wait`` reads its lines into events until it ends."""

    def __init__(self, argv: list[str], workdir: Path) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", COLUMNS="200", NO_COLOR="1", TERM="dumb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "deepdream_torch.cli", *argv], cwd=workdir, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
            start_new_session=True,
            # prctl only: no lock or allocation between fork and exec
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
        )
        self.cancelled = False

    def wait(self, report: Report) -> int:
        """Report the run's events until it exits; returns its exit code."""
        report(Event("started"))
        last = ""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            line = line.rstrip()
            if not line or "━" in line or line.strip().endswith("frames/s"):
                continue  # rich's bars, drawn once at the end off a terminal
            last = line
            report(_event_of(line))
        code = self.process.wait()
        if code == 0:
            report(Event("finished"))
        elif code == INTERRUPTED_EXIT or self.cancelled:
            report(Event("interrupted", text=last))
        else:
            report(Event("failed", text=last or f"the run ended with exit code {code}"))
        return code

    def cancel(self) -> None:
        """Ctrl-C: stop after the frame being dreamed, resumable."""
        self.cancelled = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)


def _event_of(line: str) -> Event:
    if match := FRAME.match(line):
        return Event("frame", frame=int(match[1]), seconds=float(match[2]), text=line)
    if match := FRAMES_FOLDER.match(line):
        return Event("folder", text=match[1], total=int(match[2]))
    if match := LAYER_DONE.match(line):
        return Event("frame", seconds=float(match[3]), text=match[2])
    return Event("note", text=line)
