"""Mode 1: a video's frames into a folder, ``%08d.<ext>`` numbered from 1, for mode 2 to dream."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from deepdream_torch.video.background import QUEUE_FRAMES, Prefetch
from deepdream_torch.video.decode import decode_frames, probe, short_video_warning
from deepdream_torch.video.errors import VideoError, VideoInterrupted
from deepdream_torch.video.frame import ALL_FRAMES, FrameRange
from deepdream_torch.video.images import write_image
from deepdream_torch.video.paths import check_image_type, source_frame_path
from deepdream_torch.video.progress import NO_PROGRESS, FrameDone, VideoProgress
from deepdream_torch.video.result import RunResult
from deepdream_torch.video.signals import Stop, stop_on_signals


def extract_frames(
    video: Path,
    frames_dir: Path,
    *,
    frames: FrameRange = ALL_FRAMES,
    image_type: str = "jpg",
    progress: VideoProgress = NO_PROGRESS,
    stop: Stop | None = None,
) -> RunResult:
    """Write frames ``frames.start``..``frames.end`` of ``video`` as ``frames_dir/00000001.<image_type>``, ...
    (mode 1; numbers are the video's, from 1).
    ``frames_dir``: ``paths.frames_folder(paths.input_root(), name, guided)``.

    ``stop``: the run's ``signals.Stop`` when the caller holds one (the runner); else Ctrl-C and SIGTERM are
    handled here. Raises VideoError for a missing or corrupt video, VideoInterrupted on a stop (the frames
    written so far are complete files).
    """
    video, frames_dir = Path(video), Path(frames_dir)
    image_type = check_image_type(image_type)
    info = probe(video)
    total = frames.count(info.frame_count)
    if total == 0:
        raise VideoError(f"start frame {frames.start} is past the end of {video} ({info.frame_count} frames)")
    frames_dir.mkdir(parents=True, exist_ok=True)
    progress.start("extracting", total, 0)
    written = 0
    with ExitStack() as held:
        stop = stop or held.enter_context(stop_on_signals(lambda message: progress.log(1, message)))
        reader = held.enter_context(Prefetch(lambda: decode_frames(video, frames), QUEUE_FRAMES, "decode"))
        for frame in reader:
            if stop.is_set():
                break
            write_image(source_frame_path(frames_dir, frame.number, image_type), frame.image)
            written += 1
            progress.frame(FrameDone(frame.number, written, total, 0.0))
        if not reader.exhausted:
            raise VideoInterrupted(
                f"interrupted: {written} of {total} frames extracted to {frames_dir}; "
                "run the same command again to extract them all",
                written,
            )
    if written < total:  # the source ran out early: damaged in the middle, or cut short
        progress.log(1, short_video_warning(video, frames.start - 1 + written, info.frame_count))
    return RunResult(frames_dir, written)
