"""Reading a video with PyAV: what it holds (``probe``) and its frames as RGB arrays (``decode_frames``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.container import InputContainer

from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.frame import ALL_FRAMES, Frame, FrameRange

FALLBACK_RATE = Fraction(25)
_NO_IMAGE = np.zeros((0, 0, 3), dtype=np.uint8)


@dataclass(frozen=True)
class VideoInfo:
    """A source video's first video stream, and the codec of its first audio stream (None when silent)."""

    path: Path
    width: int
    height: int
    frame_rate: Fraction
    time_base: Fraction
    frame_count: int
    audio_codec: str | None


@contextmanager
def open_video(path: Path) -> Iterator[InputContainer]:
    """The container of ``path``, closed on exit; VideoError if it is missing, unreadable or has no video."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a video file" if path.is_dir() else "does not exist"
        raise VideoError(f"video {path} {what}: check the path")
    try:
        container = av.open(str(path))
    except av.FFmpegError as error:
        raise VideoError(
            f"cannot read {path} as a video ({_reason(error)}): check that it is a complete video file"
        ) from None
    with container:
        if not container.streams.video:
            raise VideoError(f"{path} has no video stream: give a video file")
        yield container


def probe(path: Path) -> VideoInfo:
    """Size, frame rate, time base and frame count of ``path``'s video, and its audio codec."""
    with open_video(path) as container:
        stream = container.streams.video[0]
        count = stream.frames
        if count <= 0:
            # Matroska and some others do not store a frame count: count the packets (no decoding, fast).
            try:
                count = sum(1 for packet in container.demux(stream) if packet.size)
            except av.FFmpegError as error:
                raise VideoError(
                    f"{path} is corrupt ({_reason(error)}): check that it is a complete video file"
                ) from None
        audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
        return VideoInfo(
            path=Path(path),
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            frame_rate=frame_rate(stream),
            time_base=stream.time_base or Fraction(1, 1000),
            frame_count=count,
            audio_codec=audio,
        )


def frame_rate(stream: av.video.stream.VideoStream) -> Fraction:
    """The stream's average frame rate (its guess when the container has none; 25 when neither is known)."""
    return Fraction(stream.average_rate or stream.guessed_rate or FALLBACK_RATE)


def decode_frames(path: Path, frames: FrameRange = ALL_FRAMES, images: bool = True) -> Iterator[Frame]:
    """Frames ``frames.start`` to ``frames.end`` of ``path`` in display order, with their timestamps.

    With ``images=False`` the frames carry only their timing (an empty image), skipping the RGB conversion.
    The container stays open while the iterator is alive; close the iterator to release it early.
    """
    with open_video(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # frame threads: decoding keeps up with several dreamed frames per second
        time_base = stream.time_base or Fraction(1, 1000)
        step = round(1 / (frame_rate(stream) * time_base)) or 1
        number = 0
        try:
            for decoded in container.decode(stream):
                number += 1
                if number < frames.start:
                    continue
                if frames.end is not None and number > frames.end:
                    return
                # Streams without timestamps (raw or broken muxes) get a constant-rate clock instead.
                pts = decoded.pts if decoded.pts is not None else (number - 1) * step
                image = decoded.to_ndarray(format="rgb24") if images else _NO_IMAGE
                yield Frame(number, image, pts, decoded.duration or None)
        except av.FFmpegError as error:
            raise VideoError(
                f"{path} is corrupt after frame {number} ({_reason(error)}): repair or re-encode the video"
            ) from None


def _reason(error: av.FFmpegError) -> str:
    return error.strerror or type(error).__name__
