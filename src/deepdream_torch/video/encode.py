"""Writing the dreamed video with PyAV: H.264 in yuv420p, the source's timestamps kept, its audio beside.

Whatever stops the writing (a refused timestamp, a full disk, Ctrl-C, no frame at all), the file left behind plays
or is not left: a partial video is something a user opens.
"""

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
# The longest step from one frame to the next that is written, in ticks of the stored stream's time base. x264
# dates each packet's decoding some frame steps before its showing (B-frame reordering: up to 2 steps at preset
# medium, up to 8 at veryslow, measured), and MP4/MOV store that offset in 32 bits: past it the muxer refuses
# even the first packet and the file holds no frame at all. 1/16 of the 32-bit range leaves room for the slowest
# preset: 25 minutes at 1/90000 s, 2.3 hours at 1/16000 s (what MP4 makes of a millisecond time base). A source
# whose frames are further apart than that has broken timestamps.
MAX_STORED_STEP = 2**31 // 16


class VideoWriter:
    """Frames in, encoded and muxed in order; audio from the source follows each frame's time."""

    def __init__(
        self,
        container: OutputContainer,
        stream: av.video.stream.VideoStream,
        audio: AudioTrack | None,
        trim_audio: bool = False,
        frame_rate: Fraction | None = None,
    ) -> None:
        self._container = container
        self._stream = stream
        self._audio = audio
        self._trim_audio = trim_audio
        self._time_base: Fraction = stream.codec_context.time_base
        # The nominal rate asked for: the encoder's may be faster (``_encoder_rate``).
        rate = frame_rate or stream.codec_context.framerate
        self._frame_step = max(1, round(1 / (rate * self._time_base)))
        self._origin: int | None = None
        self._size: tuple[int, int] | None = None
        self._max_step = 0  # known once the header is written (the muxer chooses the stored time base)
        self._last_pts = -1
        self._end = 0
        self._stored = 0
        self._durations: dict[int, int] = {}  # frame time → its duration, until its packet is muxed
        self.frames = 0

    @property
    def audio(self) -> AudioTrack | None:
        """The audio track written (its ``codec`` and whether it was ``copied``), None for a silent video."""
        return self._audio

    def write(self, image: np.ndarray, pts: int | None = None, duration: int | None = None) -> None:
        """Encode ``image`` (H, W, 3 uint8 RGB) at source time ``pts`` (in the time base) for ``duration``.

        Without ``pts`` frames follow each other at the frame rate. The first frame's time becomes 0. A frame
        further after the previous one than the video can store (``MAX_STORED_STEP``) is refused with a
        VideoError before it reaches the encoder, so the frames before it are still written, and play.
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
            pts = self._origin + (self._last_pts + self._frame_step if self._last_pts >= 0 else 0)
        # Encoders reject equal or backward timestamps (duplicated frames in broken sources): nudge them on.
        out_pts = max(pts - self._origin, self._last_pts + 1)
        if self._last_pts >= 0 and out_pts - self._last_pts > self._max_step:
            raise self._gap(out_pts)
        step = duration or (out_pts - self._last_pts if self._last_pts >= 0 else self._frame_step)
        # A frame shown longer than the video can store has a broken duration (or frame rate): cut it to that.
        step = min(step, self._max_step)
        try:
            if self._audio is not None:
                self._audio.advance(float(pts * self._time_base))
            frame = av.VideoFrame.from_ndarray(_even(image), format="rgb24")
            frame.pts = out_pts
            frame.time_base = self._time_base
            frame.duration = step
            self._durations[out_pts] = step
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
        try:
            self._container.start_encoding()  # now, not at the first packet: the step limit needs the time base
        except av.FFmpegError as error:
            if isinstance(error, OSError):
                raise  # the disk's failure (full, read-only): the CLI says so for this path
            raise self._refused("the video's header", error) from None
        self._max_step = int(MAX_STORED_STEP * self._stream.time_base / self._time_base)
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

    def _gap(self, out_pts: int) -> VideoError:
        """The refusal of the frame at ``out_pts``: further after the previous one than the video can store."""
        at, step = float(out_pts * self._time_base), float((out_pts - self._last_pts) * self._time_base)
        return VideoError(
            f"cannot write the frame at {at:.0f} s into {self._container.name}: it comes {step:.0f} s after the "
            f"frame before it, more than this video can store ({float(self._max_step * self._time_base):.0f} s),"
            f" so the source's timestamps are broken there; the {self.frames} frames before it are written and"
            " the dreamed frames are kept"
        )

    def _mux(self, packets: list[av.Packet]) -> None:
        for packet in packets:
            # x264 gives its packets no duration, and the muxer would then make one from the nominal frame rate
            # (days long for a broken one, refused): each packet carries its frame's own duration instead.
            duration = self._durations.pop(packet.pts, None)
            if duration is not None:
                packet.duration = duration
            self._container.mux(packet)
            self._stored += 1

    def _settle(self, path: Path) -> bool:
        """After the close: keep ``path`` only if it opens and its first frame decodes (else remove it), and make
        ``frames`` the number of frames it holds. Whether it was kept."""
        if self._stored and _plays(path):
            self.frames = self._stored
            return True
        path.unlink(missing_ok=True)
        self.frames = 0
        return False


def _encoder_rate(frame_rate: Fraction, time_base: Fraction) -> Fraction:
    """The nominal rate told to the encoder: ``frame_rate``, or one frame per ``MAX_STORED_STEP`` ticks when it
    is slower (a source with a timestamp gap of days averages a rate like that). x264 refuses frames at rates
    far below it, even frames whose own timestamps are fine; frames are timed by their timestamps anyway."""
    return max(Fraction(frame_rate), 1 / (MAX_STORED_STEP * Fraction(time_base)))


def _plays(path: Path) -> bool:
    """Whether ``path`` opens as a video and its first frame decodes (a player can show it)."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            return next(container.decode(stream), None) is not None
    # What PyAV raises for a file it cannot read: FFmpeg's errors, and an IndexError for an MP4 without streams.
    except (av.FFmpegError, OSError, IndexError, ValueError):
        return False


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
    On any exit, an exception included, the encoder is flushed and the container closed; then the file is
    checked: it opens and its first frame decodes, or it is removed (nothing written, a muxer that refused every
    packet, a disk that filled before the index was written). After the block ``writer.frames`` is the number
    of frames the file holds, 0 when it was removed. A block that ends normally after writing frames none of
    which could be kept raises VideoError.
    """
    path = Path(path)
    try:
        container = av.open(str(path), "w")
    except av.FFmpegError as error:
        raise VideoError(
            f"cannot write video {path} ({error.strerror}): check the folder and the file suffix"
        ) from None
    writer: VideoWriter | None = None
    try:
        with container:
            stream = container.add_stream(VIDEO_CODEC, rate=_encoder_rate(frame_rate, time_base))
            stream.pix_fmt = PIXEL_FORMAT
            stream.codec_context.time_base = time_base
            stream.time_base = time_base
            stream.options = {"preset": preset} | ({} if crf is None else {"crf": str(crf)})
            with source_audio(audio_from, container) as audio:
                writer = VideoWriter(container, stream, audio, trim_audio, Fraction(frame_rate))
                try:
                    yield writer
                finally:
                    writer.finish()
    except BaseException:
        if writer is not None:
            writer._settle(path)
        else:
            path.unlink(missing_ok=True)
        raise
    given = writer.frames
    if not writer._settle(path) and given:
        raise VideoError(
            f"none of the {given} frames written to {path} could be stored as a playable video; the dreamed"
            " frames are kept"
        )
