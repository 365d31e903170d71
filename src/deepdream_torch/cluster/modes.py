"""Modes 0 and 2 on a Ray cluster: the frames dreamed in chunks, then (mode 0) the video assembled with the
source's frame times and audio, exactly as mode 3 does."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import torch

from deepdream_torch.cluster.driver import LOCAL_RAY, dream_chunked
from deepdream_torch.cluster.sources import FolderFrames, VideoFrames
from deepdream_torch.cluster.worker import ChunkJob
from deepdream_torch.dreaming.device import resolve_device
from deepdream_torch.runner.runs import RayPlan, VideoRun
from deepdream_torch.video.assemble import assemble_video
from deepdream_torch.video.blend import DEFAULT_BLEND, Blend
from deepdream_torch.video.flow import NO_FLOW, Flow
from deepdream_torch.video.frame import ALL_FRAMES, Dreamer, FrameRange
from deepdream_torch.video.lock import output_lock
from deepdream_torch.video.modes import folder_to_dream, video_to_dream
from deepdream_torch.video.paths import check_image_type, partial_video_path
from deepdream_torch.video.progress import NO_PROGRESS, Progress
from deepdream_torch.video.result import RunResult, refuse_to_overwrite


def run_chunked(job: VideoRun, progress: Progress) -> RunResult:
    """The runner's loop for a ``VideoRun`` with ``ray`` set (mode 0 or 2): its frames dreamed in chunks on Ray
    workers, each building its dreamer from the run's recipe."""
    dreaming, runtime = job.dreaming, None
    assert dreaming is not None and job.source is not None and job.ray is not None  # the runner checked them
    runtime = dreaming.recipe.runtime
    # Ray gives each worker one GPU of its own (CUDA_VISIBLE_DEVICES), seen as cuda:0 there: `cuda:N` means it too.
    # No log: a worker's lines would go nowhere.
    device = "cuda" if runtime.device.startswith("cuda") else runtime.device
    recipe = replace(dreaming.recipe, runtime=replace(runtime, device=device, log=None))
    common = {
        "blend": job.blend, "frames": job.frames, "image_type": job.image_type, "restart": job.restart,
        "options": job.ray, "cuda": resolve_device(runtime.device).type == "cuda", "batch_size": job.batch_size,
        "flow": job.flow, "frame_settings": job.record, "progress": progress,
    }  # fmt: skip
    if job.mode == 0:
        assert job.video_out is not None
        return dream_video_on_ray(
            job.source, job.frames_dir, job.video_out, dreaming.net, recipe, dreaming.layers, crf=job.encoder.crf,
            **common,
        )  # fmt: skip
    return dream_frames_on_ray(job.source, job.frames_dir, dreaming.net, recipe, dreaming.layers, **common)


def dream_video_on_ray(
    video: Path,
    frames_dir: Path,
    video_out: Path,
    net: torch.nn.Module,
    recipe: Callable[[torch.nn.Module], Dreamer],
    layers: Sequence[str],
    *,
    blend: Blend = DEFAULT_BLEND,
    frames: FrameRange = ALL_FRAMES,
    image_type: str = "jpg",
    crf: int | None = None,
    restart: bool = False,
    options: RayPlan = LOCAL_RAY,
    cuda: bool = False,
    batch_size: int = 1,
    flow: Flow = NO_FLOW,
    frame_settings: Mapping[str, object] | None = None,
    progress: Progress = NO_PROGRESS,
) -> RunResult:
    """Mode 0 in chunks: dream ``video``'s frames on Ray workers into ``frames_dir``, then assemble ``video_out``.

    Workers read the video themselves, so on a cluster of several machines ``video`` and ``frames_dir`` must be
    on a filesystem they all share. ``recipe(net)`` is each worker's dreamer (``DreamRecipe``).
    """
    # Absolute: the workers are other processes, with working folders of their own.
    given_dir = frames_dir
    video, frames_dir, video_out = Path(video).absolute(), Path(frames_dir).absolute(), Path(video_out)
    image_type = check_image_type(image_type)
    _, total = video_to_dream(video, frames)
    last = frames.start + total - 1
    refuse_to_overwrite(video, video_out, partial_video_path(video_out))  # now, not after hours of dreaming
    job = _job(VideoFrames(video), frames_dir, layers, blend, image_type, frames.start, batch_size, flow)
    with output_lock(frames_dir, log=lambda line: progress.log(1, line)):  # assemble_video locks the partial video
        dreamed = dream_chunked(
            job, net, recipe, last, options=options, cuda=cuda, restart=restart,
            frame_settings=frame_settings, progress=progress,
        )  # fmt: skip
        assembled = assemble_video(
            frames_dir, video_out, source=video, frames=FrameRange(frames.start, last), image_type=image_type,
            crf=crf, progress=progress,
        )  # fmt: skip
    return RunResult(
        Path(given_dir), total, dreamed.dreamed, dreamed.reused, video=assembled.video, audio=assembled.audio
    )


def dream_frames_on_ray(
    frames_in: Path,
    frames_dir: Path,
    net: torch.nn.Module,
    recipe: Callable[[torch.nn.Module], Dreamer],
    layers: Sequence[str],
    *,
    blend: Blend = DEFAULT_BLEND,
    frames: FrameRange = ALL_FRAMES,
    image_type: str = "jpg",
    restart: bool = False,
    options: RayPlan = LOCAL_RAY,
    cuda: bool = False,
    batch_size: int = 1,
    flow: Flow = NO_FLOW,
    frame_settings: Mapping[str, object] | None = None,
    progress: Progress = NO_PROGRESS,
) -> RunResult:
    """Mode 2 in chunks: dream the extracted frames of ``frames_in`` on Ray workers into ``frames_dir``."""
    given_dir = frames_dir
    frames_in, frames_dir = Path(frames_in).absolute(), Path(frames_dir).absolute()
    image_type = check_image_type(image_type)
    listing = folder_to_dream(frames_in, image_type, frames)
    first, last = min(listing), max(listing)
    job = _job(FolderFrames(frames_in, image_type), frames_dir, layers, blend, image_type, first, batch_size, flow)
    with output_lock(frames_dir, log=lambda line: progress.log(1, line)):
        result = dream_chunked(
            job, net, recipe, last, options=options, cuda=cuda, restart=restart,
            frame_settings=frame_settings, progress=progress,
        )  # fmt: skip
    return replace(result, frames_dir=Path(given_dir))


def _job(
    source: VideoFrames | FolderFrames,
    frames_dir: Path,
    layers: Sequence[str],
    blend: Blend,
    image_type: str,
    first: int,
    batch_size: int,
    flow: Flow,
) -> ChunkJob:
    return ChunkJob(
        source, frames_dir, tuple(layers), blend, image_type, first, batch_size=batch_size,
        flow=flow,
    )  # fmt: skip
