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

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from deepdream_torch.video.audio import describe_audio
from deepdream_torch.video.background import QUEUE_FRAMES, Prefetch, Sink
from deepdream_torch.video.blend import DEFAULT_BLEND, Blend
from deepdream_torch.video.checkpoint import FramesCheckpoint
from deepdream_torch.video.decode import VideoInfo, decode_frames, probe, short_video_warning
from deepdream_torch.video.dream_loop import Dreamed, dream_sequence
from deepdream_torch.video.encode import open_writer
from deepdream_torch.video.errors import VideoError, VideoInterrupted
from deepdream_torch.video.flow import NO_FLOW, Flow
from deepdream_torch.video.folder import source_frames
from deepdream_torch.video.frame import ALL_FRAMES, Dreamer, Frame, FrameRange
from deepdream_torch.video.images import read_image, write_image
from deepdream_torch.video.lock import output_lock
from deepdream_torch.video.manifest import record_video
from deepdream_torch.video.motion import with_motion
from deepdream_torch.video.paths import check_image_type, dream_frame_path, partial_video_path
from deepdream_torch.video.progress import NO_PROGRESS, Progress
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
    *,
    blend: Blend = DEFAULT_BLEND,
    batch_size: int = 1,
    frames: FrameRange = ALL_FRAMES,
    image_type: str = "jpg",
    crf: int | None = None,
    restart: bool = False,
    progress: Progress = NO_PROGRESS,
    flow: Flow = NO_FLOW,
    frame_settings: Mapping[str, object] | None = None,
    measure: bool = False,
) -> RunResult:
    """Dream ``video`` frame by frame into ``video_out`` (mode 0), keeping its frame times and audio.

    ``frames_dir``: where the dreamed frames are kept (``paths.frames_folder(output_root(), name, guided)``).
    ``video_out``: the finished video (``paths.dream_video_path(...)``); until complete it is written as
    ``paths.partial_video_path(video_out)`` and then moved into place. ``dreamer(frames, layers, numbers)`` dreams a
    batch; ``layers`` cycle one per frame (``layers.layer_for_frame``); ``blend`` mixes the next source frame
    into the previous dream (``blend.parse_blend``); with ``Blend(value=1.0)`` frames are independent and go
    ``batch_size`` at a time. ``frames``: 1-based inclusive start and end. A run finds the frames an earlier
    run finished in ``frames_dir`` and continues after them (the last one, as saved, is the blend source: exact
    with png, within JPEG's quality-95 error with jpg); ``restart`` dreams everything again.

    ``measure``: log (level 2) the run's warping error against the source footage's at the end (``stability``).
    ``frame_settings``: what shapes a frame, recorded beside the frames; a rerun with other settings is refused
    (``manifest.SettingsChanged``) unless ``restart``. ``frames_dir`` and the partial video are locked
    (``lock.output_lock``) for the run, so that a second run on them is refused (``lock.OutputLocked``).

    Raises VideoInterrupted on Ctrl-C or SIGTERM, after saving the frames dreamed and closing the partial
    video (it plays); VideoError for a missing or corrupt video.
    """
    video, frames_dir, video_out = Path(video), Path(frames_dir), Path(video_out)
    image_type = check_image_type(image_type)
    info, total = video_to_dream(video, frames)
    partial = partial_video_path(video_out)
    refuse_to_overwrite(video, video_out, partial)
    refuse_to_overwrite_inputs_in(frames_dir)
    video_out.parent.mkdir(parents=True, exist_ok=True)
    timing = {"time_base": info.time_base, "frame_rate": info.frame_rate}
    def note(line: str) -> None:
        progress.log(1, line)

    # The handlers stay installed until the video is closed and moved: a late Ctrl-C cannot break it.
    with output_lock(frames_dir, partial, log=note), stop_on_signals(note):
        # Other settings are refused before the partial video is opened (emptied); run_dream then acts on them.
        FramesCheckpoint.check(frames_dir, frame_settings, restart)
        with open_writer(partial, **timing, crf=crf, audio_from=video, trim_audio=frames.start > 1) as writer:

            def encode(item: Dreamed) -> None:
                writer.write(item.frame.image, item.frame.pts, item.frame.duration)

            outcome = run_dream(
                lambda: decode_frames(video, frames), frames_dir, dreamer, layers, blend=blend,
                batch_size=batch_size, frames=frames, image_type=image_type, restart=restart, total=total,
                progress=progress, flow=flow, on_saved=encode, frame_settings=frame_settings, measure=measure,
            )  # fmt: skip
        audio = describe_audio(writer.audio, info.audio_codec)
        if not outcome.complete:
            kept = f"the partial video is {partial}" if writer.frames else "no video was written yet"
            if not writer.frames:
                partial.unlink(missing_ok=True)
            raise VideoInterrupted(
                f"interrupted: {kept}; {outcome.hint}", outcome.done, partial if writer.frames else None
            )
        if outcome.done < total:  # the source ran out early: damaged in the middle, or cut short
            progress.log(1, short_video_warning(video, frames.start - 1 + outcome.done, info.frame_count))
        os.replace(partial, video_out)
        if frame_settings is not None:
            record_video(frames_dir, video_out, frames)
        progress.log(
            1, f"wrote {video_out} ({writer.frames} frames, {writer.duration:.2f} s, audio: {audio})"
        )
    return RunResult(frames_dir, outcome.done, outcome.dreamed, outcome.reused, video_out, audio)


def dream_frames(
    frames_in: Path,
    frames_dir: Path,
    dreamer: Dreamer,
    layers: Sequence[str],
    *,
    blend: Blend = DEFAULT_BLEND,
    batch_size: int = 1,
    frames: FrameRange = ALL_FRAMES,
    image_type: str = "jpg",
    restart: bool = False,
    progress: Progress = NO_PROGRESS,
    flow: Flow = NO_FLOW,
    frame_settings: Mapping[str, object] | None = None,
    measure: bool = False,
) -> RunResult:
    """Dream the frames ``frames_in/00000001.<image_type>``, ... into ``frames_dir`` (mode 2).

    Same dreaming, blending, resuming and stopping as ``dream_video`` (mode 0), from a folder instead of a
    video. Raises VideoError when ``frames_in`` is missing, unreadable or has gaps; VideoInterrupted on Ctrl-C
    or SIGTERM, after saving the frames dreamed. ``frame_settings``, ``measure`` and the lock as for ``dream_video``
    (the lock is on ``frames_dir``).
    """
    frames_in, frames_dir = Path(frames_in), Path(frames_dir)
    image_type = check_image_type(image_type)
    listing = folder_to_dream(frames_in, image_type, frames)
    # The frames there (a folder extracted from a start frame on begins past 1), so that resuming counts from them.
    frames = FrameRange(min(listing), max(listing))

    def read() -> Iterator[Frame]:
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

    with output_lock(frames_dir, log=lambda line: progress.log(1, line)):
        outcome = run_dream(
            read, frames_dir, dreamer, layers, blend=blend, batch_size=batch_size, frames=frames,
            image_type=image_type, restart=restart, total=len(listing), progress=progress, flow=flow,
            frame_settings=frame_settings, measure=measure,
        )  # fmt: skip
    if not outcome.complete:
        raise VideoInterrupted(f"interrupted: {outcome.hint}", outcome.done)
    return RunResult(frames_dir, outcome.done, outcome.dreamed, outcome.reused)


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


def run_dream(
    source: Callable[[], Iterator[Frame]],
    frames_dir: Path,
    dreamer: Dreamer,
    layers: Sequence[str],
    *,
    blend: Blend,
    batch_size: int,
    frames: FrameRange,
    image_type: str,
    restart: bool,
    total: int,
    progress: Progress,
    on_saved: Callable[[Dreamed], None] | None = None,
    frame_settings: Mapping[str, object] | None = None,
    flow: Flow = NO_FLOW,
    measure: bool = False,
) -> DreamOutcome:
    """Dream the frames ``source()`` yields into ``frames_dir`` (``dream_frame_%08d.<image_type>``).

    Frames finished by an earlier run are reused (``restart`` deletes them first). Each frame, reused or new,
    is passed to ``on_saved`` once saved, on the saving thread, in order (mode 0 encodes it there). With ``flow`` on, the
    reading thread also computes each frame's motion, so the dreamer never waits for the optical flow. With
    ``measure``, the reading thread computes every frame's motion (``MEASURE_FLOW`` when ``flow`` is off) and the
    source's warping error, the saving thread the dream's, and the run logs their ratio at level 2 at the end.

    ``frame_settings`` (a JSON-able mapping of everything that shapes a frame; None skips the check): frames
    dreamed with other settings are not resumed but refused with ``manifest.SettingsChanged``, or with
    ``restart`` all deleted; the settings and the outcome are recorded beside the frames. Hold
    ``lock.output_lock(frames_dir)`` around the call so that no other run writes the folder meanwhile.
    """
    if batch_size < 1:
        raise VideoError(f"batch size {batch_size} is less than 1: give 1 or more frames per dreamer call")
    checkpoint = FramesCheckpoint.open(frames_dir, image_type, frames, total, frame_settings, restart)
    last_finished = checkpoint.finished_until()
    already = last_finished - frames.start + 1
    checkpoint.begin(already, progress, last=last_finished)
    progress.start("dreaming", total, already)

    def finished(number: int) -> np.ndarray | None:
        return (
            read_image(dream_frame_path(frames_dir, number, image_type)) if number <= last_finished else None
        )

    steadiness = Steadiness() if measure else None

    def save(item: Dreamed) -> None:
        if steadiness is not None:
            steadiness.dreamed(item.frame.number, item.frame.image)
        if not item.reused:
            write_image(dream_frame_path(frames_dir, item.frame.number, image_type), item.frame.image)
        if on_saved is not None:
            on_saved(item)

    dreamed = reused = 0
    ahead = QUEUE_FRAMES + batch_size

    def read() -> Iterator[Frame]:
        if steadiness is not None:  # every frame's motion, reused ones too: they are part of the video measured
            if flow.off or blend.independent:
                return steadiness.sources(source(), MEASURE_FLOW)
            return steadiness.sources(with_motion(source(), flow), flow)
        if flow.off or blend.independent:
            return source()
        return with_motion(source(), flow, first=last_finished + 1)

    with (
        stop_on_signals(lambda message: progress.log(1, message)) as stop,
        Prefetch(read, ahead, "read frames") as reader,
    ):
        try:
            with Sink(save, ahead, "save frames") as saver:
                for item in dream_sequence(
                    reader,
                    _interruptible(dreamer, stop),
                    layers,
                    blend,
                    finished=finished,
                    stop=stop,
                    progress=progress,
                    total=total,
                    batch_size=batch_size,
                    flow=flow,
                ):
                    saver.put(item)
                    reused += item.reused
                    dreamed += not item.reused
        except KeyboardInterrupt:
            stop.set()  # a second signal: the frame in flight is dropped, the ones dreamed are saved
        # Complete when the source ran out and no frame read was dropped (a stop can drop a waiting batch).
        complete = reader.exhausted and dreamed + reused == reader.handed
        outcome = DreamOutcome(
            dreamed, reused, complete, checkpoint.hint(dreamed + reused, frames.start + dreamed + reused)
        )
    checkpoint.close(outcome.done, outcome.complete)
    said = steadiness.describe() if steadiness is not None else None
    if said is not None:
        progress.log(2, said)
    return outcome


def _interruptible(dreamer: Dreamer, stop: Stop) -> Dreamer:
    """``dreamer``, during which a second Ctrl-C drops the frame in flight (nowhere else: files stay whole)."""

    def dream(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int], **options: object) -> np.ndarray:
        with stop.interruptible():
            return dreamer(frames, layers, numbers, **options)

    return dream
