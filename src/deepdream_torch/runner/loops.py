"""The loop of each mode inside the runner: a run value turned into the frames it dreams, extracts or encodes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from deepdream_torch.picture.single import SinglePictureResult, dream_single_picture
from deepdream_torch.picture.zoom import dream_zoom
from deepdream_torch.runner.errors import RunError
from deepdream_torch.runner.events import Reporter, Started
from deepdream_torch.runner.runs import Dreaming, PictureRun, VideoRun, ZoomRun
from deepdream_torch.video.assemble import assemble_video
from deepdream_torch.video.dream_loop import Dreamer
from deepdream_torch.video.extract import extract_frames
from deepdream_torch.video.folder import dreamed_frames
from deepdream_torch.video.manifest import assembled_video
from deepdream_torch.video.modes import dream_frames, dream_video
from deepdream_torch.video.paths import check_image_type
from deepdream_torch.video.progress import Progress
from deepdream_torch.video.result import RunResult

# Modes 0 and 2 in chunks on Ray: the cluster package registers its loop here when imported (it sits above the
# runner, which never imports it).
_chunked: list[Callable[[VideoRun, Any], RunResult]] = []


def register_chunked(loop: Callable[[VideoRun, Any], RunResult]) -> None:
    """Make ``loop`` the one that runs a ``VideoRun`` with ``ray`` set (``deepdream_torch.cluster`` calls it)."""
    _chunked[:] = [loop]


def video(job: VideoRun, progress: Any) -> RunResult:
    """Mode 0, 1, 2 or 3 of ``job``, reporting to ``progress`` (a ``run.ReporterProgress``)."""
    if job.mode == 1:
        if job.source is None:
            raise RunError("mode 1 extracts the frames of a video: give its source")
        return extract_frames(job.source, job.frames_dir, frames=job.frames, image_type=job.image_type, progress=progress)
    if job.mode == 3:
        return _already_assembled(job, progress) or assemble_video(
            job.frames_dir, _video_out(job), source=job.source, frame_rate=job.encoder.frame_rate, frames=job.frames,
            image_type=job.image_type, crf=job.encoder.crf, progress=progress,
        )  # fmt: skip
    if job.mode not in (0, 2):
        raise RunError(f"mode {job.mode} is not a video run: give 0, 1, 2 or 3")
    if job.source is None:
        raise RunError(f"mode {job.mode} dreams a {'video' if job.mode == 0 else 'frames folder'}: give its source")
    if job.ray is not None:
        if not _chunked:
            raise RunError("a run with ray= needs deepdream_torch.cluster: import it (pip install 'deepdream-torch[ray]')")
        return _chunked[0](job, progress)
    dreaming = _needs_dreaming(job.dreaming, job.mode)
    dreamer = _dreamer(dreaming, progress)
    options = {
        "blend": job.blend, "batch_size": job.batch_size, "frames": job.frames, "image_type": job.image_type,
        "restart": job.restart, "progress": progress, "flow": job.flow, "frame_settings": job.record,
        "measure": job.measure,
    }  # fmt: skip
    if job.mode == 0:
        return (None if job.restart else _already_assembled(job, progress)) or dream_video(
            job.source, job.frames_dir, _video_out(job), dreamer, dreaming.layers, crf=job.encoder.crf, **options
        )
    return dream_frames(job.source, job.frames_dir, dreamer, dreaming.layers, **options)


def zoom(job: ZoomRun, progress: Any) -> RunResult:
    """The zoom animation of ``job``."""
    recipe = job.dreaming.recipe
    objectives = recipe.objectives
    return dream_zoom(
        job.picture, job.dreaming.net, job.frames_dir, job.video_out, job.count, job.dreaming.layers, job.camera,
        settings=recipe.settings, guide=recipe.guide, objective_for=None if objectives is None else objectives.get,
        seed=recipe.seed, fps=int(job.encoder.frame_rate), image_type=job.image_type, crf=job.encoder.crf,
        restart=job.restart, frame_settings=job.record, progress=progress, runtime=_logged(recipe.runtime, progress),
    )  # fmt: skip


def picture(job: PictureRun, reporter: Reporter) -> SinglePictureResult:
    """Single-picture mode: one dream per distinct layer and a contact sheet; ``reporter.step`` receives
    ``picture.single.PictureProgress`` events (layers finished, in flight, and the dream's step)."""
    recipe = job.dreaming.recipe
    objectives = recipe.objectives
    reporter.started(Started("pictures", len(dict.fromkeys(job.dreaming.layers))))
    return dream_single_picture(
        job.picture, job.dreaming.net, job.dreaming.layers, out_dir=job.out_dir, image_type=job.image_type,
        settings=recipe.settings, guide=recipe.guide, seed=recipe.seed, chain=job.chain, batch_size=job.batch_size,
        progress=reporter.step, runtime=replace(recipe.runtime, log=reporter.note),
        objective_for=None if objectives is None else objectives.get, name=job.name, tag=job.tag,
    )  # fmt: skip


def _already_assembled(job: VideoRun, progress: Progress) -> RunResult | None:
    """The result of a run that has nothing left to do: every frame of the range is dreamed and the video made
    from them is still there (one video per dream, however often its commands are run); else None."""
    video = assembled_video(job.frames_dir, job.frames)
    if video is None:
        return None
    count = len(dreamed_frames(job.frames_dir, check_image_type(job.image_type), job.frames))
    progress.log(1, f"{video} was made from these frames and none changed since: nothing to do")
    return RunResult(job.frames_dir, count, reused=count, video=video)


def _needs_dreaming(dreaming: Dreaming | None, mode: int) -> Dreaming:
    if dreaming is None:
        raise RunError(f"mode {mode} dreams: give the run a Dreaming (net, layers, recipe)")
    return dreaming


def _dreamer(dreaming: Dreaming, progress: Any) -> Dreamer:
    recipe = replace(dreaming.recipe, runtime=_logged(dreaming.recipe.runtime, progress))
    return recipe.dreamer(dreaming.net, steps=progress.step)


def _logged(runtime: Any, progress: Progress) -> Any:
    """``runtime`` with the dream's detail lines going to the run's reporter (unless it has a log already)."""
    return runtime if runtime.log is not None else replace(runtime, log=progress.log)


def _video_out(job: VideoRun) -> Any:
    if job.video_out is None:
        raise RunError(f"mode {job.mode} writes a video: give video_out")
    return job.video_out
