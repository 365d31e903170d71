"""Reading a video with PyAV: what it holds (``probe``) and its frames as RGB arrays (``decode_frames``), upright
as a player shows them (the display matrix of phone videos applied) and past damaged packets."""

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
    """A source video's first video stream, and the codec of its first audio stream (None when silent).

    ``width`` and ``height`` are as displayed (a phone's portrait clip stored on its side is taller than wide);
    ``frame_count`` is what the header promises (or the packets, where it promises nothing)."""

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
        width, height = stream.codec_context.width, stream.codec_context.height
        if _turns_sideways(path):
            width, height = height, width
        return VideoInfo(
            path=Path(path),
            width=width,
            height=height,
            frame_rate=frame_rate(stream),
            time_base=stream.time_base or Fraction(1, 1000),
            frame_count=count,
            audio_codec=audio,
        )


def frame_rate(stream: av.video.stream.VideoStream) -> Fraction:
    """The stream's average frame rate (its guess when the container has none; 25 when neither is known)."""
    return Fraction(stream.average_rate or stream.guessed_rate or FALLBACK_RATE)


def decode_frames(path: Path, frames: FrameRange = ALL_FRAMES, images: bool = True) -> Iterator[Frame]:
    """Frames ``frames.start`` to ``frames.end`` of ``path`` in display order, with their timestamps, upright.

    With ``images=False`` the frames carry only their timing (an empty image), skipping the RGB conversion.
    A packet the decoder refuses (a damaged stretch) is skipped and the frames after it are still decoded and
    numbered on; a file that stops being readable ends the frames there. Either way the video then yields
    fewer frames than ``probe`` counted: ``short_video_warning`` says so. The container stays open while the
    iterator is alive; close the iterator to release it early.
    """
    with open_video(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"  # frame threads: decoding keeps up with several dreamed frames per second
        time_base = stream.time_base or Fraction(1, 1000)
        step = round(1 / (frame_rate(stream) * time_base)) or 1
        number = 0
        for decoded in _decodable(container, stream):
            number += 1
            if number < frames.start:
                continue
            if frames.end is not None and number > frames.end:
                return
            # Streams without timestamps (raw or broken muxes) get a constant-rate clock instead.
            pts = decoded.pts if decoded.pts is not None else (number - 1) * step
            image = upright(decoded.to_ndarray(format="rgb24"), decoded) if images else _NO_IMAGE
            yield Frame(number, image, pts, decoded.duration or None)
        if number < frames.start:  # the header promised frames that are damaged or missing
            raise VideoError(
                f"start frame {frames.start} is past the end of {path}: only {number} of its frames can be "
                "decoded (the file is damaged or cut short); give a smaller start frame"
            )


def short_video_warning(path: Path, decoded: int, promised: int) -> str:
    """The one line to print when ``path`` decoded to fewer frames than its header promised."""
    return (
        f"warning: {path} decoded to {decoded} frames, its header promises {promised}: "
        f"{promised - decoded} damaged or missing frames were skipped"
    )


def upright(image: np.ndarray, frame: av.VideoFrame) -> np.ndarray:
    """``image`` (a decoded ``frame`` as H, W, 3) turned and mirrored as its display matrix says a player shows
    it: phones store portrait video on its side with a 90-degree matrix. The output carries no matrix, so the
    dream is upright and the video written from it plays upright everywhere."""
    matrix = _display_matrix(frame)
    if matrix is None:
        return image
    # FFmpeg's matrix maps a source pixel (x, y), y downwards, to (a*x + c*y, b*x + d*y) on the screen.
    a, b, c, d = (int(np.sign(round(value))) for value in matrix)
    if a == 0 and d == 0 and b and c:  # a quarter turn (with or without a mirror): x and y swap
        image = image.transpose(1, 0, 2)[::b, ::c]
    elif b == 0 and c == 0 and a and d:
        image = image[::d, ::a]
    else:
        return image  # not a multiple of 90 degrees: shown as stored
    return np.ascontiguousarray(image)


def _display_matrix(frame: av.VideoFrame) -> tuple[float, float, float, float] | None:
    for data in frame.side_data:
        if data.type == av.sidedata.sidedata.Type.DISPLAYMATRIX:
            values = np.frombuffer(bytes(data), dtype="<i4")  # 3x3, the 2x2 part in 16.16 fixed point
            return tuple(float(v) / 65536 for v in values[[0, 1, 3, 4]])
    return None


def _turns_sideways(path: Path) -> bool:
    """Whether the first frame's display matrix is a quarter turn (the displayed size is the stored one, swapped)."""
    with open_video(path) as container:
        stream = container.streams.video[0]
        for decoded in _decodable(container, stream):
            matrix = _display_matrix(decoded)
            return matrix is not None and round(matrix[0]) == 0 and round(matrix[3]) == 0
    return False


def _decodable(container: InputContainer, stream: av.video.stream.VideoStream) -> Iterator[av.VideoFrame]:
    """Every frame the decoder can make of the stream's packets, past packets it refuses (damaged data); the
    end of the readable file ends the frames."""
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.FFmpegError:
            return  # the rest of the file cannot be read: what was decoded stands, the caller counts it short
        try:
            decoded = stream.decode(packet)
        except av.EOFError:
            return
        except av.FFmpegError:
            continue  # a damaged packet: its frame is lost, the next keyframe (or concealment) resumes
        yield from decoded


def _reason(error: av.FFmpegError) -> str:
    return error.strerror or type(error).__name__
