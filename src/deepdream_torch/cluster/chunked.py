"""Modes 0 and 2 on a Ray cluster, for a ``VideoRun`` with ``ray`` set: the frames dreamed in chunks, then (mode 0)
the video assembled with the source's frame times and audio, exactly as mode 3 does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import torch

from deepdream_torch.cluster.driver import LOCAL_RAY, dream_chunked
from deepdream_torch.cluster.sources import FolderFrames, VideoFrames
from deepdream_torch.cluster.worker import ChunkJob
from deepdream_torch.dreaming.device import resolve_device
from deepdream_torch.runner.errors import RunError
from deepdream_torch.runner.recipe import DreamRecipe
from deepdream_torch.runner.runs import Dreaming, VideoRun
from deepdream_torch.video.assemble import assemble_video
from deepdream_torch.video.checkpoint import FramesCheckpoint
from deepdream_torch.video.dream_loop import Dreamer
from deepdream_torch.video.dream_run import folder_to_dream, video_to_dream
from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.lock import output_lock
from deepdream_torch.video.paths import check_image_type, partial_video_path
from deepdream_torch.video.progress import NO_PROGRESS, VideoProgress
from deepdream_torch.video.result import RunResult, refuse_to_overwrite
from deepdream_torch.video.signals import Stop


def run_chunked(job: VideoRun, progress: VideoProgress = NO_PROGRESS, stop: Stop | None = None) -> RunResult:
    """The runner's loop for a ``VideoRun`` with ``ray`` set: mode 0 or 2 in chunks, stopped by the run's
    ``stop`` (None: Ctrl-C and SIGTERM are handled here)."""
    return dream_video_on_ray(job, progress, stop) if job.mode == 0 else dream_frames_on_ray(job, progress, stop)


def dream_video_on_ray(job: VideoRun, progress: VideoProgress = NO_PROGRESS, stop: Stop | None = None) -> RunResult:
    """Mode 0 in chunks: dream ``job.source``'s frames on Ray workers into ``job.frames_dir``, then assemble
    ``job.video_out``.

    Workers read the video themselves, so on a cluster of several machines the video and the frames folder must be
    on a filesystem they all share. ``job.dreaming.recipe(net)`` is each worker's dreamer (``DreamRecipe``).
    """
    dreaming, video_out = _dreaming(job), job.video_out
    if job.source is None or video_out is None:
        raise RunError("mode 0 on Ray dreams a video into a video: give its source and video_out")
    # Absolute: the workers are other processes, with working folders of their own.
    video, frames_dir, image_type = Path(job.source).absolute(), Path(job.frames_dir).absolute(), check_image_type(job.image_type)
    _, total = video_to_dream(video, job.frames)
    frames = FrameRange(job.frames.start, job.frames.start + total - 1)
    refuse_to_overwrite(video, video_out, partial_video_path(video_out))  # now, not after hours of dreaming
    chunks = ChunkJob(VideoFrames(video), frames_dir, dreaming.layers, job.blend, image_type, frames.start, None, job.batch_size, job.flow)
    with output_lock(frames_dir, log=lambda line: progress.log(1, line)):  # assemble_video locks the partial video
        dreamed = _dream_chunks(job, chunks, frames, total, progress, stop)
        assembled = assemble_video(
            frames_dir, video_out, source=video, encoder=job.encoder, frames=frames, image_type=image_type,
            progress=progress, stop=stop,
        )  # fmt: skip
    return RunResult(job.frames_dir, total, dreamed.dreamed, dreamed.reused, video=assembled.video, audio=assembled.audio)


def dream_frames_on_ray(job: VideoRun, progress: VideoProgress = NO_PROGRESS, stop: Stop | None = None) -> RunResult:
    """Mode 2 in chunks: dream the extracted frames of ``job.source`` on Ray workers into ``job.frames_dir``."""
    dreaming = _dreaming(job)
    if job.source is None:
        raise RunError("mode 2 on Ray dreams a folder of extracted frames: give it as the source")
    frames_in, frames_dir = Path(job.source).absolute(), Path(job.frames_dir).absolute()
    image_type = check_image_type(job.image_type)
    listing = folder_to_dream(frames_in, image_type, job.frames)
    frames = FrameRange(min(listing), max(listing))
    source = FolderFrames(frames_in, image_type)
    chunks = ChunkJob(source, frames_dir, dreaming.layers, job.blend, image_type, frames.start, None, job.batch_size, job.flow)
    with output_lock(frames_dir, log=lambda line: progress.log(1, line)):
        result = _dream_chunks(job, chunks, frames, frames.end - frames.start + 1, progress, stop)  # type: ignore[operator]
    return replace(result, frames_dir=job.frames_dir)


def _dream_chunks(
    job: VideoRun, chunks: ChunkJob, frames: FrameRange, total: int, progress: VideoProgress, stop: Stop | None
) -> RunResult:
    dreaming = _dreaming(job)
    checkpoint = FramesCheckpoint.open(chunks.frames_dir, chunks.image_type, frames, total, job.record, job.restart)
    device = _device(dreaming)
    return dream_chunked(
        chunks, dreaming.net, _for_workers(dreaming.recipe, device), checkpoint, ray=job.ray or LOCAL_RAY,
        cuda=resolve_device(device).type == "cuda", progress=progress, stop=stop,
    )  # fmt: skip


def _dreaming(job: VideoRun) -> Dreaming:
    if job.dreaming is None:
        raise RunError(f"mode {job.mode} dreams: give the run a Dreaming (net, layers, recipe)")
    return job.dreaming


def _device(dreaming: Dreaming) -> str:
    recipe = dreaming.recipe
    return recipe.runtime.device if isinstance(recipe, DreamRecipe) else "cpu"


def _for_workers(recipe: Callable[[torch.nn.Module], Dreamer], device: str) -> Callable[[torch.nn.Module], Dreamer]:
    """The recipe as each worker builds its dreamer from it. Ray gives each worker one GPU of its own
    (CUDA_VISIBLE_DEVICES), seen as cuda:0 there: ``cuda:N`` means it too. No log: a worker's lines go nowhere."""
    if not isinstance(recipe, DreamRecipe):
        return recipe  # a recipe of one's own (a test's): sent as it is
    runtime = replace(recipe.runtime, device="cuda" if device.startswith("cuda") else device, log=None)
    return replace(recipe, runtime=runtime)
