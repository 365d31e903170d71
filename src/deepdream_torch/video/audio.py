"""The source's audio in the dreamed video: copied packet for packet when the output container takes its
codec, else re-encoded to AAC. Both follow the video as it is written, so a partial video has its audio too.

Times are source seconds: ``origin`` is the source time of the first video frame written (it becomes 0 in the
output) and ``advance(until)`` writes the audio before source time ``until``. ``trim`` drops the audio before
the origin (a run from a start frame); without it a copy keeps the source's lead-in (AAC priming packets at
negative times, which decoders need for a clean start).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import numpy as np
from av.container import InputContainer, OutputContainer

from deepdream_torch.video.decode import open_video
from deepdream_torch.video.errors import VideoError

# FFmpeg also muxes e.g. Vorbis into MP4 without complaint, but as a sample entry few players read (QuickTime,
# browsers and phones play the file silent), so MP4 and MOV copy only the codecs they are specified for.
MP4_AUDIO = frozenset({"aac", "mp3", "ac3", "eac3", "alac", "opus", "flac"})
MP4_FORMATS = frozenset({"mp4", "mov"})
AAC_BITRATE = 192_000
GAP_SECONDS = 0.05


class AudioTrack(Protocol):
    """The audio stream of an output video, fed from the source as the video advances."""

    codec: str
    copied: bool

    def start(self, origin: float, trim: bool) -> None: ...

    def advance(self, until: float) -> None: ...

    def finish(self, until: float) -> None: ...


def can_copy(output: OutputContainer, codec: str) -> bool:
    """Whether ``output`` can hold ``codec`` audio as it is (no re-encoding) and players will play it."""
    if output.format.name.split(",")[0] in MP4_FORMATS:
        return codec in MP4_AUDIO
    return codec in output.supported_codecs


def describe_audio(track: AudioTrack | None, source_codec: str | None) -> str:
    """What became of the source's audio: "vorbis, copied", "aac, re-encoded from vorbis" or "none"."""
    if track is None or source_codec is None:
        return "none"
    return f"{source_codec}, copied" if track.copied else f"{track.codec}, re-encoded from {source_codec}"


@contextmanager
def source_audio(source: Path | None, output: OutputContainer) -> Iterator[AudioTrack | None]:
    """The audio track of ``output``, taken from ``source`` (None when there is no source or it is silent).

    Opens ``source`` a second time so that the audio is read in step with the video writer, on its thread.
    """
    if source is None:
        yield None
        return
    with open_video(source) as container:
        if not container.streams.audio:
            yield None
            return
        codec = container.streams.audio[0].codec_context.name
        yield _AudioCopy(container, output) if can_copy(output, codec) else _AudioToAac(container, output)


class _AudioCopy:
    copied = True

    def __init__(self, source: InputContainer, output: OutputContainer) -> None:
        self._source_stream = source.streams.audio[0]
        self._stream = output.add_stream_from_template(self._source_stream)
        self._output = output
        self._packets = source.demux(self._source_stream)
        self._waiting: av.Packet | None = None
        self._offset = 0
        self._trim = False
        self.codec = self._source_stream.codec_context.name

    def start(self, origin: float, trim: bool) -> None:
        self._offset = round(Fraction(origin) / self._source_stream.time_base)
        self._trim = trim

    def advance(self, until: float) -> None:
        time_base = self._source_stream.time_base
        while (packet := self._next()) is not None:
            if packet.pts * time_base >= until:
                self._waiting = packet
                return
            if self._trim and packet.pts < self._offset:
                continue  # before the first video frame written: a start frame cut it off
            packet.pts -= self._offset
            if packet.dts is not None:
                packet.dts -= self._offset
            packet.stream = self._stream
            self._output.mux(packet)

    def finish(self, until: float) -> None:
        self.advance(until)

    def _next(self) -> av.Packet | None:
        if self._waiting is not None:
            packet, self._waiting = self._waiting, None
            return packet
        try:
            for packet in self._packets:
                if packet.size and packet.pts is not None:
                    return packet
        except av.FFmpegError as error:
            raise VideoError(
                f"the source's audio is corrupt ({error.strerror}): re-encode the video"
            ) from None
        return None


class _AudioToAac:
    copied = False
    codec = "aac"

    def __init__(self, source: InputContainer, output: OutputContainer) -> None:
        source_stream = source.streams.audio[0]
        rates = av.codec.Codec("aac", "w").audio_rates or ()
        rate = source_stream.sample_rate if source_stream.sample_rate in rates else 48_000
        layout = _named_layout(source_stream.codec_context.layout)
        self._stream = output.add_stream("aac", rate=rate, layout=layout)
        self._stream.bit_rate = AAC_BITRATE
        self._rate = rate
        self._layout = layout
        self._output = output
        self._resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        self._frames = _decoded(source, source_stream)
        self._waiting: tuple[int, np.ndarray] | None = None
        self._origin = 0.0
        self._written = 0  # samples written so far, at the output rate, from the origin
        self._following: int | None = None  # where the next decoded chunk starts if the audio is contiguous

    def start(self, origin: float, trim: bool) -> None:
        # Samples before the origin cannot be placed before time 0 here, so they are dropped either way.
        self._origin = origin

    def advance(self, until: float) -> None:
        limit = round((until - self._origin) * self._rate)
        while (chunk := self._next()) is not None:
            first, samples = chunk
            begin = max(first, self._written)
            end = min(first + samples.shape[1], limit)
            if end > begin:
                self._encode(samples[:, begin - first : end - first], begin)
                self._written = end
            if first + samples.shape[1] > limit:
                self._waiting = chunk
                return

    def finish(self, until: float) -> None:
        self.advance(until)
        for packet in self._stream.encode(None):
            self._output.mux(packet)

    def _next(self) -> tuple[int, np.ndarray] | None:
        """The next decoded audio as (first sample, from the origin; planar float samples)."""
        if self._waiting is not None:
            chunk, self._waiting = self._waiting, None
            return chunk
        for frame in self._frames:
            parts = [part.to_ndarray() for part in self._resampler.resample(frame)]
            if not parts:
                continue
            samples = np.concatenate(parts, axis=1)
            stamped = None if frame.time is None else round((float(frame.time) - self._origin) * self._rate)
            first = self._following
            # Container clocks are coarse (Matroska: 1 ms = 48 samples), so consecutive frames are taken as
            # contiguous; only a real jump (a gap or the first frame) moves the audio to its timestamp.
            if first is None or (stamped is not None and abs(stamped - first) > self._rate * GAP_SECONDS):
                first = stamped if stamped is not None else 0
            self._following = first + samples.shape[1]
            return first, samples
        return None

    def _encode(self, samples: np.ndarray, first: int) -> None:
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="fltp", layout=self._layout)
        frame.sample_rate = self._rate
        frame.time_base = Fraction(1, self._rate)
        frame.pts = first
        for packet in self._stream.encode(frame):
            self._output.mux(packet)


# The usual layout for a channel count, for sources that give only the count ("2 channels"): AAC needs one.
_USUAL_LAYOUTS = {1: "mono", 2: "stereo", 3: "2.1", 4: "quad", 5: "5.0", 6: "5.1", 7: "6.1", 8: "7.1"}


def _named_layout(layout: av.AudioLayout) -> str:
    if not layout.name.endswith("channels"):
        return layout.name
    if layout.nb_channels not in _USUAL_LAYOUTS:
        raise VideoError(
            f"cannot re-encode {layout.nb_channels}-channel audio to AAC: write a .mkv video instead"
        )
    return _USUAL_LAYOUTS[layout.nb_channels]


def _decoded(source: InputContainer, stream: av.audio.stream.AudioStream) -> Iterator[av.AudioFrame]:
    try:
        yield from source.decode(stream)
    except av.FFmpegError as error:
        raise VideoError(f"the source's audio is corrupt ({error.strerror}): re-encode the video") from None
