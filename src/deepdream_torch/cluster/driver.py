"""The driver of a chunked run: plan the chunks, start one worker per share of the cluster, hand out chunks,
report progress from the frames folder, and stop cleanly on Ctrl-C."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
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
from deepdream_torch.video.dream_loop import Dreamer
from deepdream_torch.video.errors import VideoInterrupted
from deepdream_torch.video.progress import NO_PROGRESS, FrameDone, VideoProgress
from deepdream_torch.video.result import RunResult
from deepdream_torch.video.signals import Stop, stop_on_signals

# Seconds between two looks at the frames folder while chunks run: the progress bar's refresh.
POLL_SECONDS = 0.5


LOCAL_RAY = RayPlan()  # a Ray instance on this machine, every choice left to the defaults


@dataclass(frozen=True)
class ChunkedRun:
    """A chunked run under way: the ``job`` every chunk shares, the ``net`` and the ``recipe`` each worker builds
    its dreamer from, the opened ``checkpoint``, the frames ``done`` so far (filled in as they appear on disk),
    where ``progress`` goes and the run's ``stop`` (None: the driver handles Ctrl-C and SIGTERM itself)."""

    job: ChunkJob
    net: torch.nn.Module
    recipe: Callable[[torch.nn.Module], Dreamer]
    checkpoint: FramesCheckpoint
    done: set[int]
    progress: VideoProgress = NO_PROGRESS
    stop: Stop | None = None


def dream_chunked(
    job: ChunkJob,
    net: torch.nn.Module,
    recipe: Callable[[torch.nn.Module], Dreamer],
    checkpoint: FramesCheckpoint,
    *,
    ray: RayPlan = LOCAL_RAY,
    cuda: bool = False,
    progress: VideoProgress = NO_PROGRESS,
    stop: Stop | None = None,
) -> RunResult:
    """Dream the frames of ``checkpoint`` (opened: other settings refused, ``restart`` done) of ``job.source``
    into ``job.frames_dir`` in chunks on Ray workers.

    Frames on disk are kept; each chunk starts ``ray.warmup`` frames early (default: from the blend,
    ``plan.default_warmup``) or from the last finished frame before it. Ray is only started (or joined) when some
    frame is left to dream. ``stop``: the run's ``signals.Stop`` when the caller holds one (the runner; a
    ``Cancel`` sets it too); else Ctrl-C and SIGTERM are handled here. Raises VideoInterrupted on a stop (the workers are stopped, the frames
    written are kept), ClusterError when Ray is missing or a worker keeps dying.
    """
    total = checkpoint.total
    run = ChunkedRun(job, net, recipe, checkpoint, checkpoint.finished(), progress, stop)
    already = len(run.done)  # chunks fill gaps: every finished frame counts, not only the first in a row
    checkpoint.begin(already, progress)
    reports: list[ChunkReport] = []
    try:
        if already < total:  # else nothing to dream: no cluster needed
            with connected(ray.address) as session:
                reports = _plan_and_run(session, run, ray, cuda)
    finally:
        checkpoint.close(len(run.done), complete=len(run.done) == total)
    # Counted from the folder: a chunk retried after its worker died reports only its second half.
    dreamed = len(run.done) - already
    warm = sum(report.warmup for report in reports)
    if dreamed:
        progress.log(1, f"dreamed {dreamed} frames and {warm} warm-up frames ({dreamed / (dreamed + warm):.0%} kept)")
    return RunResult(job.frames_dir, total, dreamed=dreamed, reused=already)


def _plan_and_run(ray: ModuleType, run: ChunkedRun, options: RayPlan, cuda: bool) -> list[ChunkReport]:
    job, total, progress = run.job, run.checkpoint.total, run.progress
    sizing = size_workers(ray, options.workers, options.threads, cuda)
    warmup = options.warmup if options.warmup is not None else default_warmup(job.blend)
    if warmup is None:
        progress.log(1, "blend 0 never lets the video in: every chunk warms up from the first frame")
    size = options.chunk_frames or chunk_size(total, sizing.workers, warmup or 0)
    run = replace(run, job=replace(job, warmup=warmup))
    chunks = plan_chunks(job.first, total + job.first - 1, size)
    todo = deque(chunk for chunk in chunks if any(n not in run.done for n in chunk.frames))
    efficiency = f" (efficiency {warmup_efficiency(size, warmup):.0%})" if warmup is not None else ""
    progress.log(
        1,
        f"{len(chunks)} chunks of {size} frames on {sizing.workers} Ray workers x {sizing.threads} threads, "
        f"warm-up {warmup if warmup is not None else 'from the first frame'}{efficiency}",
    )
    progress.start("dreaming", total, len(run.done))
    return _run(ray, todo, run, sizing)


def _run(ray: ModuleType, todo: deque[Chunk], run: ChunkedRun, sizing: Sizing) -> list[ChunkReport]:
    load_net = NetFromObjectStore(ray.put(run.net))  # once: every worker reads this copy, restarted ones too
    workers = start_workers(ray, sizing, run.recipe, run.job)
    idle, running, reports = list(workers), {}, []
    try:
        with ExitStack() as held:
            stop = run.stop or held.enter_context(stop_on_signals())
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
                    _report_new_frames(run)
                    if stop.is_set():
                        raise KeyboardInterrupt
            except KeyboardInterrupt:
                _stop(ray, workers, running)
                _interrupted(run)
    finally:
        _stop(ray, workers, running)
    _report_new_frames(run)
    return reports


def _interrupted(run: ChunkedRun) -> None:
    """Raise VideoInterrupted unless the stop came once every frame was written (then the run is complete)."""
    _report_new_frames(run)
    frames, total, done = run.checkpoint.frames, run.checkpoint.total, run.done
    if len(done) < total:
        next_frame = min(n for n in range(frames.start, total + frames.start) if n not in done)
        raise VideoInterrupted(f"interrupted: {run.checkpoint.hint(len(done), next_frame)}", len(done)) from None


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


def _report_new_frames(run: ChunkedRun) -> None:
    for number in sorted(run.checkpoint.finished() - run.done):
        run.done.add(number)
        run.progress.frame(FrameDone(number, len(run.done), run.checkpoint.total, 0.0))

