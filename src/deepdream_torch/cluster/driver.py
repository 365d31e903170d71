"""The driver of a chunked run: plan the chunks, start one worker per share of the cluster, hand out chunks,
report progress from the frames folder, and stop cleanly on Ctrl-C."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import ModuleType
from typing import Any

import torch

from deepdream_torch.cluster.errors import ClusterError
from deepdream_torch.cluster.plan import Chunk, chunk_size, default_warmup, plan_chunks, warmup_efficiency
from deepdream_torch.cluster.runtime import NetFromObjectStore, Sizing, connected, size_workers, start_workers
from deepdream_torch.cluster.worker import ChunkJob, ChunkReport
from deepdream_torch.errors import DeepDreamError
from deepdream_torch.runner.runs import RayPlan
from deepdream_torch.video.checkpoint import FramesCheckpoint
from deepdream_torch.video.errors import VideoInterrupted
from deepdream_torch.video.frame import Dreamer, FrameRange
from deepdream_torch.video.progress import NO_PROGRESS, FrameDone, Progress
from deepdream_torch.video.result import RunResult
from deepdream_torch.video.signals import stop_on_signals

# Seconds between two looks at the frames folder while chunks run: the progress bar's refresh.
POLL_SECONDS = 0.5


LOCAL_RAY = RayPlan()  # a Ray instance on this machine, every choice left to the defaults


def dream_chunked(
    job: ChunkJob,
    net: torch.nn.Module,
    recipe: Callable[[torch.nn.Module], Dreamer],
    last: int,
    *,
    options: RayPlan = LOCAL_RAY,
    cuda: bool = False,
    restart: bool = False,
    frame_settings: Mapping[str, object] | None = None,
    progress: Progress = NO_PROGRESS,
) -> RunResult:
    """Dream frames ``job.first`` .. ``last`` of ``job.source`` into ``job.frames_dir`` in chunks on Ray workers.

    Frames on disk are kept (``restart`` deletes them first); each chunk starts ``options.warmup`` frames early
    (default: from the blend, ``plan.default_warmup``) or from the last finished frame before it. Ray is only
    started (or joined) when some frame is left to dream. Raises VideoInterrupted on Ctrl-C or SIGTERM (the
    workers are stopped, the frames written are kept), ClusterError when Ray is missing or a worker keeps dying.
    """
    frames = FrameRange(job.first, last)
    total = last - job.first + 1
    checkpoint = FramesCheckpoint.open(job.frames_dir, job.image_type, frames, total, frame_settings, restart)
    done = checkpoint.finished()  # chunks fill gaps: every finished frame counts, not only the first in a row
    already = len(done)
    checkpoint.begin(already, progress)
    reports: list[ChunkReport] = []
    try:
        if already < total:  # else nothing to dream: no cluster needed
            with connected(options.address) as ray:
                reports = _plan_and_run(ray, job, net, recipe, options, cuda, checkpoint, done, progress)
    finally:
        checkpoint.close(len(done), complete=len(done) == total)
    # Counted from the folder: a chunk retried after its worker died reports only its second half.
    dreamed = len(done) - already
    warm = sum(report.warmup for report in reports)
    if dreamed:
        progress.log(1, f"dreamed {dreamed} frames and {warm} warm-up frames ({dreamed / (dreamed + warm):.0%} kept)")
    return RunResult(job.frames_dir, total, dreamed=dreamed, reused=already)


def _plan_and_run(
    ray: ModuleType,
    job: ChunkJob,
    net: torch.nn.Module,
    recipe: Callable[[torch.nn.Module], Dreamer],
    options: RayPlan,
    cuda: bool,
    checkpoint: FramesCheckpoint,
    done: set[int],
    progress: Progress,
) -> list[ChunkReport]:
    total = checkpoint.total
    sizing = size_workers(ray, options.workers, options.threads, cuda)
    warmup = options.warmup if options.warmup is not None else default_warmup(job.blend)
    if warmup is None:
        progress.log(1, "blend 0 never lets the video in: every chunk warms up from the first frame")
    size = options.chunk_frames or chunk_size(total, sizing.workers, warmup or 0)
    job = replace(job, warmup=warmup)
    chunks = plan_chunks(job.first, total + job.first - 1, size)
    todo = deque(chunk for chunk in chunks if any(n not in done for n in chunk.frames))
    efficiency = f" (efficiency {warmup_efficiency(size, warmup):.0%})" if warmup is not None else ""
    progress.log(
        1,
        f"{len(chunks)} chunks of {size} frames on {sizing.workers} Ray workers x {sizing.threads} threads, "
        f"warm-up {warmup if warmup is not None else 'from the first frame'}{efficiency}",
    )
    progress.start("dreaming", total, len(done))
    return _run(ray, todo, job, net, recipe, sizing, checkpoint, done, progress)


def _run(
    ray: ModuleType,
    todo: deque[Chunk],
    job: ChunkJob,
    net: torch.nn.Module,
    recipe: Callable[[torch.nn.Module], Dreamer],
    sizing: Sizing,
    checkpoint: FramesCheckpoint,
    done: set[int],
    progress: Progress,
) -> list[ChunkReport]:
    load_net = NetFromObjectStore(ray.put(net))  # once: every worker reads this copy, restarted ones too
    workers = start_workers(ray, sizing, recipe, job)
    idle, running, reports = list(workers), {}, []
    try:
        with stop_on_signals() as stop:
            try:
                while todo or running:
                    while idle and todo:
                        worker, chunk = idle.pop(), todo.popleft()
                        running[worker.dream_chunk.remote(chunk, load_net)] = (worker, chunk)
                    ready, _ = ray.wait(list(running), num_returns=1, timeout=POLL_SECONDS)
                    for reference in ready:
                        worker, chunk = running.pop(reference)
                        reports.append(_result(ray, reference, chunk))
                        idle.append(worker)
                    _report_new_frames(checkpoint, done, progress)
                    if stop.is_set():
                        raise KeyboardInterrupt
            except KeyboardInterrupt:
                _stop(ray, workers, running)
                _report_new_frames(checkpoint, done, progress)
                frames, total = checkpoint.frames, checkpoint.total
                if len(done) < total:  # else the stop came once every frame was written: the run is complete
                    next_frame = min(n for n in range(frames.start, total + frames.start) if n not in done)
                    raise VideoInterrupted(f"interrupted: {checkpoint.hint(len(done), next_frame)}", len(done)) from None
    finally:
        _stop(ray, workers, running)
    _report_new_frames(checkpoint, done, progress)
    return reports


def _result(ray: ModuleType, reference: Any, chunk: Chunk) -> ChunkReport:
    try:
        return ray.get(reference)
    except ray.exceptions.RayTaskError as error:
        cause = getattr(error, "cause", None)
        if isinstance(cause, DeepDreamError):
            raise cause from None  # a frame the worker could not read or write: the user's to fix
        raise ClusterError(
            f"a worker failed on frames {chunk.start}..{chunk.end} ({type(cause).__name__}: {cause}); "
            "run the same command again to continue", 1
        ) from None
    except ray.exceptions.RayActorError as error:
        raise ClusterError(
            f"the worker of frames {chunk.start}..{chunk.end} died and was restarted too often "
            f"({type(error).__name__}); run the same command again to continue", 1
        ) from None


def _stop(ray: ModuleType, workers: list[Any], running: dict[Any, Any]) -> None:
    # Cancelled first, so that Ray does not retry them (and say so) when their workers go.
    for reference in running:
        ray.cancel(reference)
    for worker in workers:
        ray.kill(worker, no_restart=True)  # at once: the frames written so far are whole (atomic writes)


def _report_new_frames(checkpoint: FramesCheckpoint, done: set[int], progress: Progress) -> None:
    for number in sorted(checkpoint.finished() - done):
        done.add(number)
        progress.frame(FrameDone(number, len(done), checkpoint.total, 0.0))

