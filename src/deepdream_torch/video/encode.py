"""Writing the dreamed video with PyAV: H.264 in yuv420p, the source's timestamps kept, its audio beside."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from av.container import OutputContainer

from deepdream_torch.video.audio import AudioTrack, source_audio
from deepdream_torch.video.errors import VideoError

VIDEO_CODEC = "libx264"
PIXEL_FORMAT = "yuv420p"


class VideoWriter:
    """Frames in, encoded and muxed in order; audio from the source follows each frame's time."""

    def __init__(
        self,
        container: OutputContainer,
        stream: av.video.stream.VideoStream,
        audio: AudioTrack | None,
        trim_audio: bool = False,
    ) -> None:
        self._container = container
        self._stream = stream
        self._audio = audio
        self._trim_audio = trim_audio
        self._time_base: Fraction = stream.codec_context.time_base
        self._frame_step = max(1, round(1 / (stream.codec_context.framerate * self._time_base)))
        self._origin: int | None = None
        self._size: tuple[int, int] | None = None
        self._last_pts = -1
        self._end = 0
        self.frames = 0

    @property
    def audio(self) -> AudioTrack | None:
        """The audio track written (its ``codec`` and whether it was ``copied``), None for a silent video."""
        return self._audio

    def write(self, image: np.ndarray, pts: int | None = None, duration: int | None = None) -> None:
        """Encode ``image`` (H, W, 3 uint8 RGB) at source time ``pts`` (in the time base) for ``duration``.

        Without ``pts`` frames follow each other at the frame rate. The first frame's time becomes 0.
        """
        height, width = image.shape[:2]
        if self._size is None:
            self._open(width, height, pts)
        elif self._size != (width, height):
            raise VideoError(
                f"frame of {width}x{height} after frames of {self._size[0]}x{self._size[1]}: "
                "all frames of a video must have one size"
            )
        assert self._origin is not None
        if pts is None:
            pts = self._origin + self._last_pts + self._frame_step
        # Encoders reject equal or backward timestamps (duplicated frames in broken sources): nudge them on.
        out_pts = max(pts - self._origin, self._last_pts + 1)
        step = duration or (out_pts - self._last_pts if self._last_pts >= 0 else self._frame_step)
        try:
            if self._audio is not None:
                self._audio.advance(float(pts * self._time_base))
            frame = av.VideoFrame.from_ndarray(_even(image), format="rgb24")
            frame.pts = out_pts
            frame.time_base = self._time_base
            frame.duration = step
            self._mux(self._stream.encode(frame))
        except (av.FFmpegError, OverflowError) as error:
            if isinstance(error, OSError):
                raise  # the disk's failure (full, read-only): the CLI says so for this path
            raise self._refused(f"the frame at time {out_pts} x {self._time_base}", error) from None
        self._last_pts = out_pts
        self._end = out_pts + step
        self.frames += 1

    @property
    def duration(self) -> float:
        """Seconds of video written so far (the end of the last frame)."""
        return float(self._end * self._time_base)

    def _open(self, width: int, height: int, pts: int | None) -> None:
        self._size = (width, height)
        self._stream.codec_context.width = width + width % 2
        self._stream.codec_context.height = height + height % 2
        self._origin = pts if pts is not None else 0
        if self._audio is not None:
            self._audio.start(float(self._origin * self._time_base), self._trim_audio)

    def finish(self) -> None:
        """Flush the encoder and write the audio up to the end of the last frame (cut there, so that a partial
        or start/end-framed video keeps audio and picture the same length)."""
        if self._size is None:
            return
        try:
            self._mux(self._stream.encode(None))
            if self._audio is not None:
                assert self._origin is not None
                self._audio.finish(float((self._origin + self._end) * self._time_base))
        except (av.FFmpegError, OverflowError) as error:
            if isinstance(error, OSError):
                raise  # the disk's failure (full, read-only): the CLI says so for this path
            raise self._refused("the last frames", error) from None

    def _refused(self, what: str, error: Exception) -> VideoError:
        """The encoder's or muxer's refusal (timestamps it cannot store, a broken frame rate) as one line."""
        return VideoError(
            f"cannot write {what} into {self._container.name} ({error}): the source's timestamps or frame rate"
            " cannot be stored in this video; the dreamed frames are kept"
        )

    def _mux(self, packets: list[av.Packet]) -> None:
        for packet in packets:
            self._container.mux(packet)


def _even(image: np.ndarray) -> np.ndarray:
    """``image`` padded to even width and height by repeating its last column and row.

    yuv420p stores colour per 2x2 block, so x264 takes even sizes only. Padding (rather than cropping) keeps
    every dreamed pixel; the repeated edge is the least visible extra line. The output is then 1 pixel wider
    or taller than an odd-sized source.
    """
    height, width = image.shape[:2]
    if height % 2 == 0 and width % 2 == 0:
        return image
    return np.pad(image, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")


@contextmanager
def open_writer(
    path: Path,
    *,
    time_base: Fraction,
    frame_rate: Fraction,
    crf: int | None = None,
    preset: str = "medium",
    audio_from: Path | None = None,
    trim_audio: bool = False,
) -> Iterator[VideoWriter]:
    """A ``VideoWriter`` for ``path`` (container by its suffix, e.g. .mp4 or .mkv), closed on exit.

    Timestamps given to ``write`` are in ``time_base`` (the source's, so variable frame rates survive);
    ``frame_rate`` is the nominal rate. ``crf`` None is x264's default (23). ``audio_from``: the video whose
    audio to keep; ``trim_audio`` drops its audio before the first frame written (a run from a start frame).
    On any exit, an exception included, the encoder is flushed and the container closed, so whatever was
    written plays.
    """
    try:
        container = av.open(str(path), "w")
    except av.FFmpegError as error:
        raise VideoError(
            f"cannot write video {path} ({error.strerror}): check the folder and the file suffix"
        ) from None
    with container:
        stream = container.add_stream(VIDEO_CODEC, rate=frame_rate)
        stream.pix_fmt = PIXEL_FORMAT
        stream.codec_context.time_base = time_base
        stream.time_base = time_base
        stream.options = {"preset": preset} | ({} if crf is None else {"crf": str(crf)})
        with source_audio(audio_from, container) as audio:
            writer = VideoWriter(container, stream, audio, trim_audio)
            try:
                yield writer
            finally:
                writer.finish()
