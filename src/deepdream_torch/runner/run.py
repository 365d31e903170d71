"""``run(job, reporter, cancel)``: the one entry point that runs a run value, whatever its mode.

The runner owns what every mode shares: the Ctrl-C / SIGTERM handling and the programmatic ``Cancel`` (one
``Stop`` for the whole run), the events a front end sees, and the end of a run (``finished`` with the result, or
``interrupted`` and ``VideoInterrupted``, resumable by running the same value again).
"""

from __future__ import annotations

from typing import Any

from deepdream_torch.picture.single import PictureInterrupted
from deepdream_torch.runner import loops
from deepdream_torch.runner.events import Cancel, FrameDone, NoReporter, Reporter, Started, Stopped
from deepdream_torch.runner.runs import PictureRun, Result, VideoRun, ZoomRun
from deepdream_torch.video.errors import VideoInterrupted
from deepdream_torch.video.signals import Stop, stop_on_signals

Job = PictureRun | VideoRun | ZoomRun


def run(job: Job, reporter: Reporter | None = None, cancel: Cancel | None = None) -> Result:
    """Run ``job`` to its end, reporting to ``reporter``; returns what it wrote.

    Ctrl-C, SIGTERM (on the main thread) and ``cancel.cancel()`` (from any thread) all stop a video or zoom run
    after the frame in flight: ``reporter.interrupted`` is told where things are, then ``VideoInterrupted`` is
    raised; running the same value again resumes. ``cancel.cancel()`` stops a single-picture run the same way
    between two batches of layers (``PictureInterrupted``; Ctrl-C stops it at once, KeyboardInterrupt). Raises a ``DeepDreamError`` (one line a user can act on) for a
    run that cannot go as asked.
    """
    reporter = reporter or NoReporter()
    cancel = cancel or Cancel()
    progress = ReporterProgress(reporter)
    try:
        if isinstance(job, PictureRun):
            # Ctrl-C stops a single picture at once (KeyboardInterrupt): its few files are written whole. A
            # cancel sets a Stop of its own, which the picture loop reads between layers.
            stop = Stop()
            with cancel.bound(stop, lambda _: progress.note("stopping after the layers being dreamed")):
                result: Result = loops.picture(job, reporter, stop)
        else:
            with stop_on_signals(progress.note) as stop, cancel.bound(stop, progress.note):
                result = loops.zoom(job, progress, stop) if isinstance(job, ZoomRun) else loops.video(job, progress, stop)
    except VideoInterrupted as stopped:
        reporter.interrupted(Stopped(stopped.done, str(stopped), stopped.partial))
        raise
    except PictureInterrupted as stopped:
        reporter.interrupted(Stopped(stopped.done, str(stopped)))
        raise
    reporter.finished(result)
    return result


class ReporterProgress:
    """A ``Reporter`` seen as the video package's ``VideoProgress`` (what the frame loops report to)."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter

    def start(self, description: str, total: int, done: int) -> None:
        self.reporter.started(Started(description, total, done))

    def frame(self, event: FrameDone) -> None:
        self.reporter.frame_done(event)

    def log(self, level: int, message: str) -> None:
        self.reporter.note(level, message)

    def note(self, message: str) -> None:
        self.reporter.note(1, message)

    def step(self, step: Any) -> None:
        self.reporter.step(step)
