"""The loop of each mode inside the runner: a run value turned into the frames it dreams, extracts or encodes,
with the run's one ``Stop`` (Ctrl-C, SIGTERM and ``Cancel`` set it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from deepdream_torch.dreaming.pixels import as_rgb_array
from deepdream_torch.picture.single import PictureOptions, SinglePictureResult, dream_single_picture
from deepdream_torch.runner import zoom as zoom_loop
from deepdream_torch.runner.errors import RunError
from deepdream_torch.runner.events import Reporter, Started
from deepdream_torch.runner.recipe import DreamRecipe
from deepdream_torch.runner.runs import Dreaming, PictureRun, VideoRun, ZoomRun
from deepdream_torch.video.assemble import assemble_video
from deepdream_torch.video.dream_run import dream_frames, dream_video
from deepdream_torch.video.extract import extract_frames
from deepdream_torch.video.frame_files import dreamed_frames
from deepdream_torch.video.manifest import assembled_video
from deepdream_torch.video.paths import check_image_type
from deepdream_torch.video.progress import VideoProgress
from deepdream_torch.video.result import RunResult
from deepdream_torch.video.signals import Stop

# Modes 0 and 2 in chunks on Ray: the cluster package registers its loop here when imported (it sits above the
# runner, which never imports it).
_chunked: list[Callable[[VideoRun, Any, Stop], RunResult]] = []


def register_chunked(loop: Callable[[VideoRun, Any, Stop], RunResult]) -> None:
    """Make ``loop`` the one that runs a ``VideoRun`` with ``ray`` set (``deepdream_torch.cluster`` calls it)."""
    _chunked[:] = [loop]


def video(job: VideoRun, progress: Any, stop: Stop) -> RunResult:
    """Mode 0, 1, 2 or 3 of ``job``, reporting to ``progress`` (a ``run.ReporterProgress``)."""
    if job.mode == 1:
        source = _source(job, "mode 1 extracts the frames of a video")
        return extract_frames(
            source, job.frames_dir, frames=job.frames, image_type=job.image_type, progress=progress, stop=stop
        )
    if job.mode == 3:
        return _already_assembled(job, progress) or assemble_video(
            job.frames_dir, _video_out(job), source=job.source, encoder=job.encoder, frames=job.frames,
            image_type=job.image_type, progress=progress, stop=stop,
        )  # fmt: skip
    if job.mode not in (0, 2):
        raise RunError(f"mode {job.mode} is not a video run: give 0, 1, 2 or 3")
    source = _source(job, f"mode {job.mode} dreams a {'video' if job.mode == 0 else 'frames folder'}")
    if job.ray is not None:
        if not _chunked:
            raise RunError("a run with ray= needs deepdream_torch.cluster: import it (pip install 'deepdream-torch[ray]')")
        return _chunked[0](job, progress, stop)
    dreaming = _needs_dreaming(job.dreaming, job.mode)
    dreamer = _logged(dreaming.recipe, progress).dreamer(dreaming.net, steps=progress.step)
    options = job.frame_options()
    if job.mode == 0:
        return (None if job.restart else _already_assembled(job, progress)) or dream_video(
            source, job.frames_dir, _video_out(job), dreamer, dreaming.layers, options, progress, stop
        )
    return dream_frames(source, job.frames_dir, dreamer, dreaming.layers, options, progress, stop)


def zoom(job: ZoomRun, progress: Any, stop: Stop) -> RunResult:
    """The zoom animation of ``job`` (``runner/zoom.py``)."""
    recipe = _logged(job.dreaming.recipe, progress)
    # Frame n seeded seed + n, whatever --jitter-seed says, and the guide read once for every frame.
    recipe = replace(recipe, jitter_seed="frame", guide=None if recipe.guide is None else as_rgb_array(recipe.guide))
    return zoom_loop.zoom(job, recipe.dreamer(job.dreaming.net), progress, stop)


def picture(job: PictureRun, reporter: Reporter, stop: Stop) -> SinglePictureResult:
    """Single-picture mode: one dream per distinct layer and a contact sheet; ``reporter.step`` receives
    ``picture.single.PictureProgress`` events (layers finished, in flight, and the dream's step). Once ``stop``
    is set the run ends between two batches of layers (``PictureInterrupted``)."""
    recipe = job.dreaming.recipe
    objectives = recipe.objectives
    reporter.started(Started("pictures", len(dict.fromkeys(job.dreaming.layers))))
    options = PictureOptions(
        job.out_dir, job.image_type, recipe.seed, job.chain, job.batch_size, job.name, job.tag,
        objective_for=None if objectives is None else objectives.get, stop_requested=stop.is_set,
    )
    return dream_single_picture(
        job.picture, job.dreaming.net, job.dreaming.layers, options, settings=recipe.settings,
        runtime=replace(recipe.runtime, log=reporter.note), guide=recipe.guide, progress=reporter.step,
    )


def _already_assembled(job: VideoRun, progress: VideoProgress) -> RunResult | None:
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


def _logged(recipe: DreamRecipe, progress: VideoProgress) -> DreamRecipe:
    """``recipe`` with the dream's detail lines going to the run's reporter (unless its runtime has a log)."""
    if recipe.runtime.log is not None:
        return recipe
    return replace(recipe, runtime=replace(recipe.runtime, log=progress.log))


def _source(job: VideoRun, what: str) -> Path:
    if job.source is None:
        raise RunError(f"{what}: give its source")
    return job.source


def _video_out(job: VideoRun) -> Path:
    if job.video_out is None:
        raise RunError(f"mode {job.mode} writes a video: give video_out")
    return job.video_out
