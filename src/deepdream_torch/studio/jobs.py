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
    frames_folder: str | None = None  # as the CLI printed it (data/...)
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
        with self.lock:
            if event.kind == "frame":
                job.seconds_per_frame = event.seconds
                if job.frames_folder is None and event.frame is not None and job.spec.get("kind") == "video":
                    job.frames_folder = self._folder_of_frame(job, event.frame)
                job.done = self._frames_done(job) if job.frames_folder else job.done + 1
                if event.frame is not None and job.frames_folder:
                    job.last_frame = f"{job.frames_folder.removeprefix('data/')}/dream_frame_{event.frame:08d}.jpg"
                elif event.text.startswith("data/"):
                    job.last_frame = event.text.removeprefix("data/")
                job.message = f"frame {event.frame} done" if event.frame else event.text
            elif event.kind == "folder":
                job.frames_folder, job.total = event.text, job.total or event.total
                job.done = self._frames_done(job)
            elif event.kind == "note":
                job.message = event.text
            elif event.kind in ("finished", "interrupted", "failed"):
                job.ended = time.time()
                if job.frames_folder:  # what the run left on disk, the number a resume starts from
                    job.done = self._frames_done(job)
                job.state = {"finished": "done", "interrupted": "stopped", "failed": "failed"}[event.kind]
                if event.kind == "finished":
                    job.message = "done"
                elif event.kind == "interrupted":
                    job.message = f"stopped at frame {job.done}: resume to continue"
                else:
                    job.message = event.text
            elif event.kind == "started" and job.spec.get("kind") == "picture":
                job.total = len(job.spec.get("layers") or ()) or None
            elif event.kind == "started" and job.spec.get("kind") == "video" and job.total is None:
                job.total = _frame_count(self.data / job.spec["source"], job.spec.get("end_frame"))
            if job.spec.get("kind") == "zoom" and job.total is None:
                job.total = int(job.spec.get("zoom_frames") or 0) or None
            self._changed()

    def _folder_of_frame(self, job: Job, frame: int) -> str | None:
        """The frames folder a video run writes (named by the CLI after its settings): the one whose frame
        ``frame`` was written last. The CLI prints it only when it ends."""
        stem = Path(job.spec["source"]).stem
        root = self.data / "output_frames"
        written = [folder / f"dream_frame_{frame:08d}.{suffix}" for folder in root.glob(f"{stem}*")
                   for suffix in ("jpg", "png")]
        found = [path for path in written if path.is_file()]
        if not found:
            return None
        newest = max(found, key=lambda path: path.stat().st_mtime_ns)
        return f"data/output_frames/{newest.parent.name}"

    def _frames_done(self, job: Job) -> int:
        folder = self.workdir / str(job.frames_folder)
        try:
            return sum(1 for name in folder.iterdir() if name.name.startswith("dream_frame_"))
        except OSError:
            return job.done

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


def _frame_count(video: Path, end_frame: int | None) -> int | None:
    """How many frames a video run dreams: the container's count (up to ``end_frame``), None when unknown."""
    import av

    try:
        with av.open(str(video)) as container:
            frames = container.streams.video[0].frames or None
    except (av.error.FFmpegError, OSError, IndexError):
        return None
    return min(frames, end_frame) if frames and end_frame else frames
