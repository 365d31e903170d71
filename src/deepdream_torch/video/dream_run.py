"""The video modes that dream: mode 0 (``dream_video``: a video in, dreamed and encoded as it goes) and mode 2
(``dream_frames``: a folder of extracted frames in), and the run both are made of (``run_dream``): resume after the
finished frames (``checkpoint``), dream the rest on the main thread while one thread reads frames and another saves
them, stop cleanly on a signal. The frame sequence itself (blend or flow, the pull, batches) is ``dream_loop``'s,
which the Ray workers reuse; the checks of a mode's source before anything starts are here once
(``video_to_dream``, ``folder_to_dream``), for the Ray modes too.

The dreamed frames are saved as ``dream_frame_%08d.<ext>``: the checkpoint a resumed run continues from, and the
input of mode 3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from deepdream_torch.video.audio import describe_audio
from deepdream_torch.video.background import QUEUE_FRAMES, Prefetch, Sink
from deepdream_torch.video.checkpoint import FramesCheckpoint
from deepdream_torch.video.decode import VideoInfo, decode_frames, probe, short_video_warning
from deepdream_torch.video.dream_loop import Dreamed, Dreamer, dream_sequence
from deepdream_torch.video.errors import VideoError, VideoInterrupted
from deepdream_torch.video.flow import Flow
from deepdream_torch.video.frame import Frame, FrameRange
from deepdream_torch.video.frame_files import source_frames
from deepdream_torch.video.images import read_image, write_image
from deepdream_torch.video.lock import output_lock
from deepdream_torch.video.manifest import record_video
from deepdream_torch.video.motion import with_motion
from deepdream_torch.video.options import DEFAULT_OPTIONS, FrameOptions
from deepdream_torch.video.partial import PartialVideo
from deepdream_torch.video.paths import check_image_type, dream_frame_path
from deepdream_torch.video.progress import NO_PROGRESS, VideoProgress
from deepdream_torch.video.result import RunResult, refuse_to_overwrite, refuse_to_overwrite_inputs_in
from deepdream_torch.video.signals import Stop, stop_on_signals
from deepdream_torch.video.stability import Steadiness

# The motion a run's steadiness is measured with when --flow is off: the cheapest flow (bench_flow.py's cost table).
MEASURE_FLOW = Flow("dis", "fast")


def video_to_dream(video: Path, frames: FrameRange) -> tuple[VideoInfo, int]:
    """``video``'s header and how many of its frames ``frames`` covers; VideoError when none (a start frame past
    the end) or the file is not a video. What every mode 0 checks first, in one process or on Ray."""
    info = probe(video)
    total = frames.count(info.frame_count)
    if total == 0:
        raise VideoError(
            f"start frame {frames.start} is past the end of {video} ({info.frame_count} frames): give a smaller one"
        )
    return info, total


def folder_to_dream(frames_in: Path, image_type: str, frames: FrameRange) -> dict[int, Path]:
    """The extracted frames of ``frames_in`` in ``frames`` (number → file), checked for gaps: what every mode 2
    dreams, in one process or on Ray."""
    return source_frames(frames_in, image_type, frames)


def dream_video(
    video: Path,
    frames_dir: Path,
    video_out: Path,
    dreamer: Dreamer,
    layers: Sequence[str],
    options: FrameOptions = DEFAULT_OPTIONS,
    progress: VideoProgress = NO_PROGRESS,
    stop: Stop | None = None,
) -> RunResult:
    """Dream ``video`` frame by frame into ``video_out`` (mode 0), keeping its frame times and audio.

    ``frames_dir``: where the dreamed frames are kept (``paths.frames_folder(output_root(), name, guided)``).
    ``video_out``: the finished video (``paths.dream_video_path(...)``); until complete it is written as
    ``paths.partial_video_path(video_out)`` and then moved into place (``partial.PartialVideo``).
    ``dreamer(frames, layers, numbers)`` dreams a batch; ``layers`` cycle one per frame
    (``layers.layer_for_frame``); ``options`` say how (``FrameOptions``: blend, flow, range, restart, the settings
    record, ...). A run finds the frames an earlier run finished in ``frames_dir`` and continues after them (the
    last one, as saved, is the blend source: exact with png, within JPEG's quality-95 error with jpg). A rerun with
    other settings is refused (``manifest.SettingsChanged``) unless ``options.restart``. ``frames_dir`` and the
    partial video are locked (``lock.output_lock``) for the run, so that a second run on them is refused.

    ``stop``: the run's ``signals.Stop`` when the caller holds one (the runner); else Ctrl-C and SIGTERM are
    handled here. Raises VideoInterrupted on a stop, after saving the frames dreamed and closing the partial video
    (it plays); VideoError for a missing or corrupt video.
    """
    video, frames_dir = Path(video), Path(frames_dir)
    options = replace(options, image_type=check_image_type(options.image_type))
    info, total = video_to_dream(video, options.frames)
    partial = PartialVideo(video_out)
    refuse_to_overwrite(video, partial.video_out, partial.path)
    refuse_to_overwrite_inputs_in(frames_dir)
    partial.video_out.parent.mkdir(parents=True, exist_ok=True)
    with ExitStack() as held:
        # The lock and the handlers stay until the video is closed and moved: a late Ctrl-C cannot break it.
        held.enter_context(output_lock(frames_dir, partial.path, log=_note(progress)))
        stop = stop or held.enter_context(stop_on_signals(_note(progress)))
        # Opened (other settings refused) before the partial video is opened (emptied).
        checkpoint = _checkpoint(frames_dir, total, options)
        timing = {"time_base": info.time_base, "frame_rate": info.frame_rate, "crf": options.encoder.crf}
        with partial.open(**timing, audio_from=video, trim_audio=options.frames.start > 1) as writer:

            def encode(item: Dreamed) -> None:
                writer.write(item.frame.image, item.frame.pts, item.frame.duration)

            source = DreamSource(lambda: decode_frames(video, options.frames), checkpoint, options, encode)
            outcome = run_dream(source, dreamer, layers, progress, stop)
        partial.close(outcome.complete, outcome.done, outcome.hint)
        if outcome.done < total:  # the source ran out early: damaged in the middle, or cut short
            progress.log(1, short_video_warning(video, options.frames.start - 1 + outcome.done, info.frame_count))
        if options.record is not None:
            record_video(frames_dir, partial.video_out, options.frames)
        audio = describe_audio(writer.audio, info.audio_codec)
        progress.log(
            1, f"wrote {partial.video_out} ({writer.frames} frames, {writer.duration:.2f} s, audio: {audio})"
        )
    return RunResult(frames_dir, outcome.done, outcome.dreamed, outcome.reused, partial.video_out, audio)


def dream_frames(
    frames_in: Path,
    frames_dir: Path,
    dreamer: Dreamer,
    layers: Sequence[str],
    options: FrameOptions = DEFAULT_OPTIONS,
    progress: VideoProgress = NO_PROGRESS,
    stop: Stop | None = None,
) -> RunResult:
    """Dream the frames ``frames_in/00000001.<image_type>``, ... into ``frames_dir`` (mode 2).

    Same dreaming, blending, resuming and stopping as ``dream_video`` (mode 0), from a folder instead of a
    video. Raises VideoError when ``frames_in`` is missing, unreadable or has gaps; VideoInterrupted on a stop,
    after saving the frames dreamed. ``options``, ``stop`` and the lock as for ``dream_video`` (the lock is on
    ``frames_dir``).
    """
    frames_in, frames_dir = Path(frames_in), Path(frames_dir)
    image_type = check_image_type(options.image_type)
    listing = folder_to_dream(frames_in, image_type, options.frames)
    # The frames there (a folder extracted from a start frame on begins past 1), so that resuming counts from them.
    options = replace(options, image_type=image_type, frames=FrameRange(min(listing), max(listing)))
    with ExitStack() as held:
        held.enter_context(output_lock(frames_dir, log=_note(progress)))
        stop = stop or held.enter_context(stop_on_signals(_note(progress)))
        checkpoint = _checkpoint(frames_dir, len(listing), options)
        outcome = run_dream(DreamSource(lambda: _read_folder(listing), checkpoint, options), dreamer, layers, progress, stop)
    if not outcome.complete:
        raise VideoInterrupted(f"interrupted: {outcome.hint}", outcome.done)
    return RunResult(frames_dir, outcome.done, outcome.dreamed, outcome.reused)


def _checkpoint(frames_dir: Path, total: int, options: FrameOptions) -> FramesCheckpoint:
    return FramesCheckpoint.open(frames_dir, options.image_type, options.frames, total, options.record, options.restart)


def _note(progress: VideoProgress) -> Callable[[str], None]:
    def note(line: str) -> None:
        progress.log(1, line)

    return note


def _read_folder(listing: dict[int, Path]) -> Iterator[Frame]:
    size = None
    for number, path in listing.items():
        image = read_image(path)
        if size is not None and image.shape != size:
            raise VideoError(
                f"frame {path} is {image.shape[1]}x{image.shape[0]} but the frames before it are "
                f"{size[1]}x{size[0]}: all frames of a video must have one size"
            )
        size = image.shape
        yield Frame(number, image)


@dataclass(frozen=True)
class DreamSource:
    """What a dream run reads and where it writes: ``frames()`` yields the source frames, ``checkpoint`` is the
    frames folder (opened), ``options`` how to dream, ``on_saved`` gets each frame once saved (mode 0 encodes it)."""

    frames: Callable[[], Iterator[Frame]]
    checkpoint: FramesCheckpoint
    options: FrameOptions
    on_saved: Callable[[Dreamed], None] | None = None


@dataclass(frozen=True)
class DreamOutcome:
    """How a dream run ended: ``dreamed`` now, ``reused`` from an earlier run, ``complete`` unless stopped, and
    the ``hint`` an interrupted run ends with (where things are, how to go on)."""

    dreamed: int
    reused: int
    complete: bool
    hint: str = ""

    @property
    def done(self) -> int:
        return self.dreamed + self.reused


def run_dream(source: DreamSource, dreamer: Dreamer, layers: Sequence[str], progress: VideoProgress, stop: Stop) -> DreamOutcome:
    """Dream the frames ``source.frames()`` yields into its checkpoint's folder (``dream_frame_%08d.<image_type>``).

    Frames finished by an earlier run are reused. Each frame, reused or new, is passed to ``source.on_saved``
    once saved, on the saving thread, in order. With ``flow`` on, the reading thread also computes each frame's
    motion, so the dreamer never waits for the optical flow. With ``measure``, the reading thread computes every
    frame's motion (``MEASURE_FLOW`` when ``flow`` is off) and the source's warping error, the saving thread the
    dream's, and the run logs their ratio at level 2 at the end. Stops between frames once ``stop`` is set.
    """
    options, checkpoint = source.options, source.checkpoint
    if options.batch_size < 1:
        raise VideoError(f"batch size {options.batch_size} is less than 1: give 1 or more frames per dreamer call")
    last_finished = checkpoint.finished_until()
    already = last_finished - options.frames.start + 1
    checkpoint.begin(already, progress, last=last_finished)
    progress.start("dreaming", checkpoint.total, already)
    steadiness = Steadiness() if options.measure else None
    dreamed = reused = 0
    ahead = QUEUE_FRAMES + options.batch_size
    with (
        Prefetch(lambda: _read(source, last_finished, steadiness), ahead, "read frames") as reader,
    ):
        try:
            with Sink(_saver(source, steadiness), ahead, "save frames") as saver:
                for item in dream_sequence(
                    reader, _interruptible(dreamer, stop), layers, options,
                    finished=_finished(checkpoint, last_finished), stop=stop, progress=progress,
                    total=checkpoint.total,
                ):  # fmt: skip
                    saver.put(item)
                    reused += item.reused
                    dreamed += not item.reused
        except KeyboardInterrupt:
            stop.set()  # a second signal: the frame in flight is dropped, the ones dreamed are saved
        # Complete when the source ran out and no frame read was dropped (a stop can drop a waiting batch).
        complete = reader.exhausted and dreamed + reused == reader.handed
    done = dreamed + reused
    outcome = DreamOutcome(dreamed, reused, complete, checkpoint.hint(done, options.frames.start + done))
    checkpoint.close(outcome.done, outcome.complete)
    said = steadiness.describe() if steadiness is not None else None
    if said is not None:
        progress.log(2, said)
    return outcome


def _read(source: DreamSource, last_finished: int, steadiness: Steadiness | None) -> Iterator[Frame]:
    """The source frames, with their motion where the run needs it (the reading thread computes it)."""
    options, flow = source.options, source.options.flow
    carried = not (flow.off or options.blend.independent)
    if steadiness is not None:  # every frame's motion, reused ones too: they are part of the video measured
        if not carried:
            return steadiness.sources(source.frames(), MEASURE_FLOW)
        return steadiness.sources(with_motion(source.frames(), flow), flow)
    if not carried:
        return source.frames()
    return with_motion(source.frames(), flow, first=last_finished + 1)


def _finished(checkpoint: FramesCheckpoint, last_finished: int) -> Callable[[int], np.ndarray | None]:
    """The image of frame n when an earlier run finished it (the blend source of the next frame), else None."""

    def finished(number: int) -> np.ndarray | None:
        if number > last_finished:
            return None
        return read_image(dream_frame_path(checkpoint.frames_dir, number, checkpoint.image_type))

    return finished


def _saver(source: DreamSource, steadiness: Steadiness | None) -> Callable[[Dreamed], None]:
    """What the saving thread does with each frame: measure it, write it (unless reused), hand it on."""
    checkpoint = source.checkpoint

    def save(item: Dreamed) -> None:
        if steadiness is not None:
            steadiness.dreamed(item.frame.number, item.frame.image)
        if not item.reused:
            path = dream_frame_path(checkpoint.frames_dir, item.frame.number, checkpoint.image_type)
            write_image(path, item.frame.image)
        if source.on_saved is not None:
            source.on_saved(item)

    return save


def _interruptible(dreamer: Dreamer, stop: Stop) -> Dreamer:
    """``dreamer``, during which a second Ctrl-C drops the frame in flight (nowhere else: files stay whole)."""

    def dream(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int], **options: object) -> np.ndarray:
        with stop.interruptible():
            return dreamer(frames, layers, numbers, **options)

    return dream
