"""Mode 3: dreamed frames into a video, with the frame times and audio of the source video when given."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from fractions import Fraction
from pathlib import Path

from deepdream_torch.video.audio import describe_audio
from deepdream_torch.video.background import QUEUE_FRAMES, Prefetch
from deepdream_torch.video.decode import decode_frames, probe
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.frame import ALL_FRAMES, Frame, FrameRange
from deepdream_torch.video.frame_files import dreamed_frames
from deepdream_torch.video.images import read_image
from deepdream_torch.video.lock import held_by_other_run, output_lock
from deepdream_torch.video.manifest import read_record, record_video
from deepdream_torch.video.partial import DEFAULT_ENCODER, Encoder, PartialVideo
from deepdream_torch.video.paths import check_image_type
from deepdream_torch.video.progress import NO_PROGRESS, FrameDone, VideoProgress
from deepdream_torch.video.result import RunResult, refuse_to_overwrite
from deepdream_torch.video.signals import Stop, stop_on_signals


def assemble_video(
    frames_dir: Path,
    video_out: Path,
    *,
    source: Path | None = None,
    encoder: Encoder = DEFAULT_ENCODER,
    frames: FrameRange = ALL_FRAMES,
    image_type: str = "jpg",
    progress: VideoProgress = NO_PROGRESS,
    stop: Stop | None = None,
) -> RunResult:
    """Encode ``frames_dir/dream_frame_%08d.<image_type>`` into ``video_out`` (mode 3).

    With ``source`` (the video the frames came from) frame n takes source frame n's time, so variable frame
    rates and start frames stay in sync, and the source's audio is kept; without it frames follow each other
    at ``encoder.frame_rate`` and the video is silent. Written as ``paths.partial_video_path(video_out)`` and moved
    into place when complete (no other run may write that partial video meanwhile: ``lock.output_lock``). Says
    how many frames it assembles, and warns when the folder's manifest says the dream run that made them stopped
    early. Raises VideoError when the folder is missing, unreadable or has gaps. ``stop``: the run's
    ``signals.Stop`` when the caller holds one; else Ctrl-C and SIGTERM are handled here.
    """
    frames_dir = Path(frames_dir)
    image_type = check_image_type(image_type)
    dreaming = held_by_other_run(frames_dir)
    if dreaming is not None:
        raise VideoError(
            f"{frames_dir} is still being dreamed by another run ({dreaming.describe()}): assemble it once that "
            "run has finished"
        )
    listing = dreamed_frames(frames_dir, image_type, frames)
    first, last = min(listing), max(listing)
    timing, source_codec = _timing(source, encoder, last, frames_dir)
    partial = PartialVideo(video_out)
    refuse_to_overwrite(source, partial.video_out, partial.path)
    total = len(listing)
    progress.log(1, f"assembling {total} frames ({first} to {last}) from {frames_dir}")
    _warn_if_incomplete(frames_dir, progress)
    progress.start("assembling", total, 0)
    note = _note(progress)
    partial.video_out.parent.mkdir(parents=True, exist_ok=True)
    # The lock and the handlers stay until the video is closed and moved: no other run can empty the partial
    # video between its close and the move, and a late Ctrl-C cannot break it (as in dream_run.dream_video).
    with ExitStack() as held:
        held.enter_context(output_lock(partial.path, log=note))
        stop = stop or held.enter_context(stop_on_signals(note))
        with (
            partial.open(**timing, crf=encoder.crf, audio_from=source, trim_audio=first > 1) as writer,
            Prefetch(lambda: _read(listing, source), QUEUE_FRAMES, "read frames") as reader,
        ):
            for frame in reader:
                if stop.is_set():
                    break
                writer.write(frame.image, frame.pts, frame.duration)
                progress.frame(FrameDone(frame.number, writer.frames, total, 0.0))
            complete = reader.exhausted
        partial.close(complete, writer.frames, "run the same command again to assemble the whole video")
    record_video(frames_dir, partial.video_out, frames)  # when the folder has a manifest: assembling again reuses it
    audio = describe_audio(writer.audio, source_codec)
    progress.log(1, f"wrote {partial.video_out} ({writer.frames} frames, {writer.duration:.2f} s, audio: {audio})")
    return RunResult(frames_dir, writer.frames, video=partial.video_out, audio=audio)


def _timing(source: Path | None, encoder: Encoder, last: int, frames_dir: Path) -> tuple[dict[str, Fraction], str | None]:
    """The video's time base and frame rate (the source's, checked to have frame ``last``; else the encoder's
    rate), and the source's audio codec."""
    if source is None:
        rate = Fraction(encoder.frame_rate).limit_denominator(1001)
        return {"time_base": 1 / rate, "frame_rate": rate}, None
    info = probe(source)
    if last > info.frame_count:
        raise VideoError(
            f"{frames_dir} has frame {last} but {source} has {info.frame_count} frames: "
            "give the video these frames were dreamed from"
        )
    return {"time_base": info.time_base, "frame_rate": info.frame_rate}, info.audio_codec


def _read(listing: dict[int, Path], source: Path | None) -> Iterator[Frame]:
    """The dreamed frames with the source's frame times (none without a source)."""
    first, last = min(listing), max(listing)
    times = decode_frames(source, FrameRange(first, last), images=False) if source else _no_times()
    with closing(times):
        for number, path in listing.items():
            timing = next(times, None)
            if source is not None and timing is None:
                raise VideoError(f"{source} ends before frame {number}: give the video these frames came from")
            pts, duration = (timing.pts, timing.duration) if timing else (None, None)
            yield Frame(number, read_image(path), pts, duration)


def _note(progress: VideoProgress) -> Callable[[str], None]:
    def note(line: str) -> None:
        progress.log(1, line)

    return note


def _warn_if_incomplete(frames_dir: Path, progress: VideoProgress) -> None:
    """One line when the frames folder's manifest says the run that dreamed it did not finish."""
    try:
        record = read_record(frames_dir)
    except VideoError as unreadable:  # the frames themselves may be fine: say so, and assemble them
        progress.log(1, f"warning: {unreadable}")
        return
    if record is not None and not record.complete:
        progress.log(
            1,
            f"warning: the run that dreamed {frames_dir} stopped after {record.done} of {record.total} frames; "
            "run it again (same command, mode 0 or 2) to finish them before assembling",
        )


def _no_times() -> Iterator[Frame]:
    yield from ()
