"""Mode 0: video in, dream, video out, streamed: frames are decoded, dreamed and encoded as they go.

The dreamed frames are also saved as ``dream_frame_%08d.<ext>``: the checkpoint a resumed run continues from,
and the input of mode 3.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from deepdream_torch.video.audio import describe_audio
from deepdream_torch.video.blend import DEFAULT_BLEND, Blend
from deepdream_torch.video.checkpoint import FramesCheckpoint
from deepdream_torch.video.decode import decode_frames, probe, short_video_warning
from deepdream_torch.video.dream_loop import Dreamed
from deepdream_torch.video.dream_run import run_dream
from deepdream_torch.video.encode import open_writer
from deepdream_torch.video.errors import VideoError, VideoInterrupted
from deepdream_torch.video.flow import NO_FLOW, Flow
from deepdream_torch.video.frame import ALL_FRAMES, Dreamer, FrameRange
from deepdream_torch.video.lock import output_lock
from deepdream_torch.video.manifest import record_video
from deepdream_torch.video.paths import check_image_type, partial_video_path
from deepdream_torch.video.progress import NO_PROGRESS, Progress
from deepdream_torch.video.result import (
    RunResult,
    refuse_to_overwrite,
    refuse_to_overwrite_inputs_in,
)
from deepdream_torch.video.signals import stop_on_signals


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

    ``frame_settings``: what shapes a frame, recorded beside the frames; a rerun with other settings is refused
    (``manifest.SettingsChanged``) unless ``restart``. ``frames_dir`` and the partial video are locked
    (``lock.output_lock``) for the run, so that a second run on them is refused (``lock.OutputLocked``).

    Raises VideoInterrupted on Ctrl-C or SIGTERM, after saving the frames dreamed and closing the partial
    video (it plays); VideoError for a missing or corrupt video.
    """
    video, frames_dir, video_out = Path(video), Path(frames_dir), Path(video_out)
    image_type = check_image_type(image_type)
    info = probe(video)
    total = frames.count(info.frame_count)
    if total == 0:
        raise VideoError(
            f"start frame {frames.start} is past the end of {video} ({info.frame_count} frames): "
            "give a smaller one"
        )
    partial = partial_video_path(video_out)
    refuse_to_overwrite(video, video_out, partial)
    refuse_to_overwrite_inputs_in(frames_dir)
    video_out.parent.mkdir(parents=True, exist_ok=True)
    timing = {"time_base": info.time_base, "frame_rate": info.frame_rate}
    # The handlers stay installed until the video is closed and moved: a late Ctrl-C cannot break it.
    with output_lock(frames_dir, partial, log=lambda line: progress.log(1, line)), stop_on_signals(lambda message: progress.log(1, message)):
        # Other settings are refused before the partial video is opened (emptied); run_dream then acts on them.
        FramesCheckpoint.check(frames_dir, frame_settings, restart)
        with open_writer(partial, **timing, crf=crf, audio_from=video, trim_audio=frames.start > 1) as writer:

            def encode(item: Dreamed) -> None:
                writer.write(item.frame.image, item.frame.pts, item.frame.duration)

            outcome = run_dream(
                lambda: decode_frames(video, frames),
                frames_dir,
                dreamer,
                layers,
                blend=blend,
                batch_size=batch_size,
                frames=frames,
                image_type=image_type,
                restart=restart,
                total=total,
                progress=progress,
                flow=flow,
                also=encode,
                frame_settings=frame_settings,
            )
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
