"""Mode 3: dreamed frames into a video, with the frame times and audio of the source video when given."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing
from fractions import Fraction
from pathlib import Path

from deepdream_torch.video.audio import describe_audio
from deepdream_torch.video.background import QUEUE_FRAMES, Prefetch
from deepdream_torch.video.decode import decode_frames, probe
from deepdream_torch.video.encode import open_writer
from deepdream_torch.video.errors import VideoError, VideoInterrupted
from deepdream_torch.video.folder import dreamed_frames
from deepdream_torch.video.frame import ALL_FRAMES, Frame, FrameRange
from deepdream_torch.video.images import read_image
from deepdream_torch.video.lock import held_by_other_run, output_lock
from deepdream_torch.video.manifest import read_record, record_video
from deepdream_torch.video.paths import check_image_type, partial_video_path
from deepdream_torch.video.progress import NO_PROGRESS, FrameDone, Progress
from deepdream_torch.video.result import RunResult, refuse_to_overwrite
from deepdream_torch.video.signals import stop_on_signals

DEFAULT_FRAME_RATE = Fraction(25)


def assemble_video(
    frames_dir: Path,
    video_out: Path,
    *,
    source: Path | None = None,
    frame_rate: Fraction | float = DEFAULT_FRAME_RATE,
    frames: FrameRange = ALL_FRAMES,
    image_type: str = "jpg",
    crf: int | None = None,
    progress: Progress = NO_PROGRESS,
) -> RunResult:
    """Encode ``frames_dir/dream_frame_%08d.<image_type>`` into ``video_out`` (mode 3).

    With ``source`` (the video the frames came from) frame n takes source frame n's time, so variable frame
    rates and start frames stay in sync, and the source's audio is kept; without it frames follow each other
    at ``frame_rate`` and the video is silent. Written as ``paths.partial_video_path(video_out)`` and moved
    into place when complete (no other run may write that partial video meanwhile: ``lock.output_lock``). Says
    how many frames it assembles, and warns when the folder's manifest says the dream run that made them stopped
    early. Raises VideoError when the folder is missing, unreadable or has gaps.
    """
    frames_dir, video_out = Path(frames_dir), Path(video_out)
    image_type = check_image_type(image_type)
    dreaming = held_by_other_run(frames_dir)
    if dreaming is not None:
        raise VideoError(
            f"{frames_dir} is still being dreamed by another run ({dreaming.describe()}): assemble it once that "
            "run has finished"
        )
    listing = dreamed_frames(frames_dir, image_type, frames)
    first, last = min(listing), max(listing)
    if source is not None:
        info = probe(source)
        if last > info.frame_count:
            raise VideoError(
                f"{frames_dir} has frame {last} but {source} has {info.frame_count} frames: "
                "give the video these frames were dreamed from"
            )
        time_base, rate, source_codec = info.time_base, info.frame_rate, info.audio_codec
    else:
        rate = Fraction(frame_rate).limit_denominator(1001)
        time_base, source_codec = 1 / rate, None
    partial = partial_video_path(video_out)
    refuse_to_overwrite(source, video_out, partial)
    video_out.parent.mkdir(parents=True, exist_ok=True)

    def read() -> Iterator[Frame]:
        times = decode_frames(source, FrameRange(first, last), images=False) if source else _no_times()
        with closing(times):
            for number, path in listing.items():
                timing = next(times, None)
                if source is not None and timing is None:
                    raise VideoError(
                        f"{source} ends before frame {number}: give the video these frames came from"
                    )
                pts, duration = (timing.pts, timing.duration) if timing else (None, None)
                yield Frame(number, read_image(path), pts, duration)

    total = len(listing)
    progress.log(1, f"assembling {total} frames ({first} to {last}) from {frames_dir}")
    _warn_if_incomplete(frames_dir, progress)
    progress.start("assembling", total, 0)
    def note(line: str) -> None:
        progress.log(1, line)

    # The lock and the handlers stay until the video is closed and moved: no other run can empty the partial
    # video between its close and the move, and a late Ctrl-C cannot break it (as in modes.dream_video).
    with output_lock(partial, log=note), stop_on_signals(note) as stop:
        with (
            open_writer(
                partial,
                time_base=time_base,
                frame_rate=rate,
                crf=crf,
                audio_from=source,
                trim_audio=first > 1,
            ) as writer,
            Prefetch(read, QUEUE_FRAMES, "read frames") as reader,
        ):
            for frame in reader:
                if stop.is_set():
                    break
                writer.write(frame.image, frame.pts, frame.duration)
                progress.frame(FrameDone(frame.number, writer.frames, total, 0.0))
            complete = reader.exhausted
        if not complete:
            kept = f"the partial video is {partial}" if writer.frames else "no video was written"
            if not writer.frames:
                partial.unlink(missing_ok=True)
            raise VideoInterrupted(
                f"interrupted: {kept}; run the same command again to assemble the whole video",
                writer.frames,
                partial if writer.frames else None,
            )
        os.replace(partial, video_out)
    record_video(frames_dir, video_out, frames)  # when the folder has a manifest: assembling again reuses it
    audio = describe_audio(writer.audio, source_codec)
    progress.log(1, f"wrote {video_out} ({writer.frames} frames, {writer.duration:.2f} s, audio: {audio})")
    return RunResult(frames_dir, writer.frames, video=video_out, audio=audio)


def _warn_if_incomplete(frames_dir: Path, progress: Progress) -> None:
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
