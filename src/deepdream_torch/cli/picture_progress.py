"""The progress display of single-picture mode: a bar over the layers and, at ``-v 2``, one over the steps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class PictureBars:
    """The runner's ``Reporter`` of a single-picture run: ``step`` receives ``picture.single.PictureProgress``
    events, ``note`` the log lines."""

    def __init__(self, bars: Progress, layers: int, verbose: int) -> None:
        self._bars = bars
        self._verbose = verbose
        self._layers = bars.add_task("layers", total=layers)
        self._steps: TaskID | None = None

    def started(self, event: Any) -> None:
        pass  # the bar over the layers is there from the start

    def frame_done(self, event: Any) -> None:
        pass  # each layer's result is a note

    def note(self, level: int, message: str) -> None:
        self.log(level, message)

    def finished(self, result: Any) -> None:
        pass

    def interrupted(self, event: Any) -> None:
        pass

    def step(self, event: Any) -> None:
        self._bars.update(self._layers, completed=event.finished + event.batch * event.step.done / event.step.total)
        if self._verbose >= 2:
            step = event.step
            text = f"  octave {step.octave}/{step.octaves}, iteration {step.iteration}/{step.iterations}"
            if self._steps is None:
                self._steps = self._bars.add_task(text, total=step.total)
            self._bars.update(self._steps, description=text, completed=step.done, total=step.total)

    def log(self, level: int, message: str) -> None:
        if level <= self._verbose:
            self._bars.console.print(message, markup=False, highlight=False)


@contextmanager
def picture_bars(console: Console, layers: int, verbose: int) -> Iterator[PictureBars]:
    bars = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )
    with bars:
        try:
            yield PictureBars(bars, layers, verbose)
        except BaseException:
            # A failed run ends with its one line alone: no bar stopped half-way, no blank line rich adds in a log.
            bars.live.transient = True
            bars.live.stop()
            bars.disable = True
            raise
