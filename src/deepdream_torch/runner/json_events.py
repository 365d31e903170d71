"""A ``Reporter`` that writes each runner event as one JSON line (for a front end in another process), and ``Tee``.

The studio runs the ``deepdream`` command in a child process and reads these lines from a pipe: the page learns a
run's progress from the runner's own events, never from the console's wording. One object per line, its kind in
``"event"``: ``run`` (what the run writes, once, first), ``started``, ``frame`` (with the dreamed frame's path in
the dreaming phases), ``step``, ``note``, ``finished`` (the outputs) and ``interrupted`` (where it stopped).
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import IO, Any

from deepdream_torch.runner.events import FrameDone, Reporter, Started, Stopped
from deepdream_torch.runner.runs import PictureRun, Result, VideoRun, ZoomRun
from deepdream_torch.video.paths import dream_frame_path

# The phases whose frames are dreamed frames on disk (the others extract or assemble).
DREAMING = ("dreaming", "zooming")


class JsonEvents:
    """Writes ``job``'s events to ``stream`` as JSON lines, each flushed as it happens.

    A reader that went away (a killed server's pipe) ends the writing, not the run: the run's frames and its
    resumable end matter more than a report nobody reads."""

    def __init__(self, stream: IO[str], job: PictureRun | VideoRun | ZoomRun | None = None) -> None:
        self._stream: IO[str] | None = stream
        self._job = job
        self._phase = ""
        if job is not None:
            self._write({"event": "run", **describe(job)})

    def started(self, event: Started) -> None:
        self._phase = event.what
        self._write({"event": "started", "what": event.what, "total": event.total, "done": event.done})

    def frame_done(self, event: FrameDone) -> None:
        line: dict[str, Any] = {"event": "frame", "phase": self._phase, **asdict(event)}
        job = self._job
        if self._phase in DREAMING and isinstance(job, (VideoRun, ZoomRun)):
            line["path"] = str(dream_frame_path(job.frames_dir, event.number, job.image_type))
        self._write(line)

    def note(self, level: int, message: str) -> None:
        self._write({"event": "note", "level": level, "message": message})

    def step(self, step: Any) -> None:
        inner = getattr(step, "step", step)  # a single picture's PictureProgress wraps the dream's step
        line = {"event": "step", "octave": inner.octave, "octaves": inner.octaves, "iteration": inner.iteration,
                "iterations": inner.iterations, "done": inner.done, "total": inner.total}
        if inner is not step:
            line |= {"finished": step.finished, "layers": step.layers}
        self._write(line)

    def finished(self, result: Result) -> None:
        self._write({"event": "finished", **_plain(asdict(result))})

    def interrupted(self, event: Stopped) -> None:
        self._write({"event": "interrupted", **_plain(asdict(event))})

    def _write(self, line: dict[str, Any]) -> None:
        if self._stream is None:
            return
        try:
            self._stream.write(json.dumps(line) + "\n")
            self._stream.flush()
        except (BrokenPipeError, ConnectionResetError):
            self._stream = None  # the reader is gone; the run goes on to its resumable end


def describe(job: PictureRun | VideoRun | ZoomRun) -> dict[str, Any]:
    """Where ``job`` writes: its kind, frames folder, video and image type (what a front end shows while it runs)."""
    if isinstance(job, PictureRun):
        return {"kind": "picture", "folder": None if job.out_dir is None else str(job.out_dir),
                "image_type": job.image_type}
    return {"kind": "zoom" if isinstance(job, ZoomRun) else "video", "mode": getattr(job, "mode", None),
            "frames_dir": str(job.frames_dir), "video": None if job.video_out is None else str(job.video_out),
            "image_type": job.image_type}


def _plain(value: Any) -> Any:
    """``value`` with its paths as strings (JSON has no paths)."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    return value


class Tee:
    """One ``Reporter`` that tells every one of ``reporters`` each event, in order (a console bar and a pipe)."""

    def __init__(self, *reporters: Reporter) -> None:
        self._reporters = reporters

    def _tell(self, event: str, *args: Any) -> None:
        for reporter in self._reporters:
            getattr(reporter, event)(*args)

    def started(self, event: Started) -> None:
        self._tell("started", event)

    def frame_done(self, event: FrameDone) -> None:
        self._tell("frame_done", event)

    def note(self, level: int, message: str) -> None:
        self._tell("note", level, message)

    def step(self, step: Any) -> None:
        self._tell("step", step)

    def finished(self, result: Result) -> None:
        self._tell("finished", result)

    def interrupted(self, event: Stopped) -> None:
        self._tell("interrupted", event)
