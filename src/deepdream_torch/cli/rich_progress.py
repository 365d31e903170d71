"""The progress display the CLI shows for the video modes: frames done / total, frames per second, ETA.

``-v 1``: the bar and a few notes; ``-v 2``: also a line per frame and the dream's octaves and iterations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichBar
from rich.text import Text

from deepdream_torch.video.progress import FrameDone


class FramesPerSecond(ProgressColumn):
    """Frames per second over rich's recent window (resumed frames do not count: they were not advanced)."""

    def render(self, task: Task) -> Text:
        if not task.fields.get("frames"):  # the -v 2 octave/iteration bar counts steps, not frames
            return Text("")
        speed = task.finished_speed or task.speed
        return Text("-- frames/s" if speed is None else f"{speed:.2f} frames/s", style="progress.data.speed")


class RichProgress:
    """The runner's ``Reporter`` drawn with rich (and the video package's ``VideoProgress`` its loops report to);
    ``steps`` takes the dream's per-step progress for ``-v 2``."""

    def __init__(self, bar: RichBar, verbose: int) -> None:
        self._bar = bar
        self._verbose = verbose
        self._frames: TaskID | None = None
        self._steps: TaskID | None = None

    def start(self, description: str, total: int, done: int) -> None:
        if self._frames is not None:
            self._bar.remove_task(self._frames)
        self._frames = self._bar.add_task(description, total=total, completed=done, frames=True)

    def frame(self, event: FrameDone) -> None:
        if self._frames is not None:
            self._bar.update(self._frames, completed=event.done)
        if self._verbose >= 2 and event.layer is not None:
            blend = "as is" if event.blend is None else f"blend {event.blend:.2f}"
            self.log(2, f"frame {event.number}: {event.layer}, {blend}, {event.seconds:.2f} s")

    def log(self, level: int, message: str) -> None:
        if level <= self._verbose:
            self._bar.console.print(message, markup=False, highlight=False)

    # The runner's events (runner.events.Reporter).
    def started(self, event: Any) -> None:
        self.start(event.what, event.total, event.done)

    def frame_done(self, event: FrameDone) -> None:
        self.frame(event)

    def note(self, level: int, message: str) -> None:
        self.log(level, message)

    def step(self, step: Any) -> None:
        self.steps(step)

    def finished(self, result: Any) -> None:
        pass  # the front end prints where the result is

    def interrupted(self, event: Any) -> None:
        pass  # the stop's one line is the front end's exit message

    def steps(self, step: Any) -> None:
        """The dream's ``progress`` callback (``dreaming.loop.DreamProgress``): octave and iteration of the frame in
        flight, shown as a second bar at ``-v 2``."""
        if self._verbose < 2:
            return
        text = f"  octave {step.octave}/{step.octaves}, iteration {step.iteration}/{step.iterations}"
        if self._steps is None:
            self._steps = self._bar.add_task(text, total=step.total)
        self._bar.update(self._steps, description=text, completed=step.done, total=step.total)


@contextmanager
def rich_progress(console: Console | None = None, verbose: int = 1) -> Iterator[RichProgress]:
    """A ``RichProgress`` on ``console`` for the duration of the block; pass it as ``progress=`` to a mode."""
    bar = RichBar(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        FramesPerSecond(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )
    with bar:
        try:
            yield RichProgress(bar, verbose)
        except Exception:
            # A failed run ends with its one line alone: no bar that counted unsaved frames, no blank line in a log.
            bar.live.transient = True
            bar.live.stop()
            bar.disable = True
            raise
