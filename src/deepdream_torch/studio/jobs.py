"""The job queue: one job at a time, the rest waiting, all of it kept on disk in ``.studio/jobs.json``.

A job is recorded (its spec, its command) before it runs. A restart of the server finds a job that was running
as ``stopped`` at the frame it had reached: the page offers to resume it, and nothing starts it again by itself,
so a job that kills its server cannot loop. Cancelling a waiting job only marks it; cancelling the running one
is the CLI's Ctrl-C (resumable). Two requests for the same run while it waits or runs get the one job.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepdream_torch.atomic import write_text
from deepdream_torch.studio.errors import StudioError
from deepdream_torch.studio.job_spec import JobSpec
from deepdream_torch.studio.jobs_backend import CliRun, Event
from deepdream_torch.studio.paths import studio_dir

ACTIVE = ("queued", "running")
# The phases whose frames a job counts (the dreamed frames of a video or zoom, the layers of a picture).
PHASES = ("dreaming", "zooming", "pictures")


@dataclass
class Job:
    id: str
    spec: dict[str, Any]
    argv: list[str]
    command: str
    state: str = "queued"  # queued, running, stopped, done, failed, cancelled
    done: int = 0
    total: int | None = None
    seconds_per_frame: float | None = None
    frames_folder: str | None = None  # where the run writes, relative to the work folder (data/...)
    last_frame: str | None = None  # relative to the data folder
    message: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    ended: float | None = None

    def as_json(self) -> dict[str, Any]:
        value = dict(self.__dict__)
        if self.state == "running" and self.total and self.seconds_per_frame is not None:
            value["seconds_left"] = max(0, self.total - self.done) * self.seconds_per_frame
        return value


class Queue:
    """The jobs of one data folder and the thread that runs them one after the other."""

    def __init__(self, data: Path, workdir: Path, on_change: Callable[[], None]) -> None:
        self.data, self.workdir, self.on_change = data, workdir, on_change
        self.file = studio_dir(data) / "jobs.json"
        self.lock = threading.Condition()
        self.jobs: list[Job] = self._load()
        self.current: CliRun | None = None
        self.closing = False
        self.thread = threading.Thread(target=self._work, name="studio-jobs", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        """Stop the running job as Ctrl-C would and end the worker."""
        with self.lock:
            self.closing = True
            if self.current is not None:
                self.current.cancel()
            self.lock.notify_all()
        self.thread.join(timeout=30)

    def add(self, spec: JobSpec) -> tuple[Job, bool]:
        """Queue a job; ``(job, False)`` when the same run already waits or runs (it is that job)."""
        argv = spec.argv()
        with self.lock:
            for job in self.jobs:
                if job.argv == argv and job.state in ACTIVE:
                    return job, False
            job = Job(secrets.token_hex(6), spec.as_json(), argv, spec.command(self.workdir))
            self.jobs.append(job)
            self._changed()
            return job, True

    def cancel(self, job_id: str) -> Job:
        with self.lock:
            job = self.get(job_id)
            if job.state == "queued":
                job.state, job.message = "cancelled", "cancelled before it started"
                self._changed()
            elif job.state == "running" and self.current is not None:
                job.message = "stopping after this frame"
                self.current.cancel()
                self._changed()
            return job

    def cancel_waiting(self) -> int:
        """Cancel every queued job, leaving the running one alone; returns how many."""
        with self.lock:
            waiting = [job for job in self.jobs if job.state == "queued"]
            for job in waiting:
                job.state, job.message = "cancelled", "cancelled before it started"
            self._changed()
            return len(waiting)

    def resume(self, job_id: str) -> Job:
        with self.lock:
            job = self.get(job_id)
            if job.state not in ("stopped", "failed", "cancelled"):
                raise StudioError(f"job {job_id} is {job.state}: only a stopped job resumes", 409)
            for other in self.jobs:
                if other is not job and other.argv == job.argv and other.state in ACTIVE:
                    return other
            job.state, job.message = "queued", "waiting to resume"
            self._changed()
            return job

    def get(self, job_id: str) -> Job:
        for job in self.jobs:
            if job.id == job_id:
                return job
        raise StudioError(f"no job {job_id}", 404)

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return [job.as_json() for job in self.jobs]

    def _work(self) -> None:
        while True:
            with self.lock:
                while not self.closing and not any(job.state == "queued" for job in self.jobs):
                    self.lock.wait()
                if self.closing:
                    return
                job = next(job for job in self.jobs if job.state == "queued")
                job.state, job.started, job.message = "running", time.time(), "starting"
                self.current = CliRun(job.argv, self.workdir)
                self._changed()
            run = self.current
            run.wait(lambda event, job=job: self._on_event(job, event))
            with self.lock:
                self.current = None
                self._changed()

    def _on_event(self, job: Job, event: Event) -> None:
        """One runner event of ``job``'s process (``runner.json_events``) into the job's state."""
        with self.lock:
            if event.kind == "run":
                folder = event.get("frames_dir") or event.get("folder")
                job.frames_folder = None if folder is None else self._relative(folder)
            elif event.kind == "started":
                if event.get("what") in PHASES:
                    job.total, job.done = event.get("total"), event.get("done", 0)
                job.message = event.get("what", "")
            elif event.kind == "frame" and event.get("phase") in PHASES[:2]:
                job.done, job.total = event.get("done", job.done), event.get("total", job.total)
                job.seconds_per_frame = event.get("seconds")
                if event.get("path"):
                    job.last_frame = self._relative(event.get("path")).removeprefix("data/")
                job.message = f"frame {event.get('number')} done"
            elif event.kind == "frame":  # extracting or assembling
                job.message = f"{event.get('phase')} {event.get('done')} / {event.get('total')}"
            elif event.kind == "step" and event.get("finished") is not None:  # a single picture's layers
                job.done = event.get("finished")
            elif event.kind == "note" and event.get("level", 1) <= 1:
                job.message = event.get("message", "")
            elif event.kind in ("finished", "interrupted", "failed"):
                self._ended(job, event)
            self._changed()

    def _ended(self, job: Job, event: Event) -> None:
        job.ended = time.time()
        job.state = {"finished": "done", "interrupted": "stopped", "failed": "failed"}[event.kind]
        if event.kind == "finished":
            pictures = list((event.get("pictures") or {}).values())
            job.done = event.get("frames", len(pictures) or job.done)
            if pictures:
                job.last_frame = self._relative(pictures[-1]).removeprefix("data/")
            job.message = "done"
        elif event.kind == "interrupted":
            job.done = event.get("done", job.done)  # what the run left on disk, the number a resume starts from
            job.message = f"stopped at frame {job.done}: resume to continue"
        else:
            job.message = event.get("message", "")

    def _relative(self, path: str) -> str:
        """``path`` as the child wrote it (relative to the work folder, or absolute), relative to the work
        folder where it lies inside it (``data/...``)."""
        full = Path(path) if Path(path).is_absolute() else self.workdir / path
        try:
            return full.resolve().relative_to(self.workdir.resolve()).as_posix()
        except ValueError:
            return str(full)

    def _changed(self) -> None:
        """Write the queue (atomically) and tell the page."""
        state = [job.__dict__ for job in self.jobs]
        write_text(self.file, json.dumps(state, indent=1))
        self.lock.notify_all()
        self.on_change()

    def _load(self) -> list[Job]:
        if not self.file.is_file():
            return []
        try:
            rows = json.loads(self.file.read_text())
            jobs = [Job(**row) for row in rows]
        except (ValueError, TypeError) as error:
            raise StudioError(f"the studio's queue {self.file} is unreadable ({error}); move it away to start"
                              " with an empty queue") from error
        for job in jobs:
            if job.state == "running":  # the server died under it: stopped where it was, never restarted by itself
                job.state = "stopped"
                job.message = f"stopped at frame {job.done} when the server stopped: resume to continue"
        return jobs

