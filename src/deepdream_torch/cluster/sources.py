"""Where a worker reads its frames from: the source video or the extracted frames folder, by path.

Workers read their own frames, so the driver decodes nothing it does not need and no frame crosses the
network twice. On a cluster of several machines the path must therefore mean the same file on every machine
(a shared filesystem: NFS, a mounted bucket), as must the folder the dreamed frames are written to.

A chunk in the middle of a video seeks to the key frame before it instead of decoding everything before it.
Frame n is the n-th frame in display order, as ``decode_frames`` numbers them: the n-th smallest packet
timestamp, read from the container without decoding. Where that cannot be trusted (packets without timestamps,
repeated ones, a seek that lands past the frame) the chunk decodes from the start as the single-process modes do.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av

from deepdream_torch.video.decode import decode_frames, open_video, upright
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.frame import Frame, FrameRange
from deepdream_torch.video.images import read_image
from deepdream_torch.video.paths import source_frame_path


@dataclass(frozen=True)
class VideoFrames:
    """Frames of a video file (mode 0)."""

    video: Path

    def frames(self, start: int, end: int) -> Iterator[Frame]:
        if start > 1:
            times = display_times(str(self.video), self.video.stat().st_mtime_ns)
            if times is not None and start <= len(times):
                return _seek(self.video, times, start, end)
        return decode_frames(self.video, FrameRange(start, end))


@dataclass(frozen=True)
class FolderFrames:
    """Extracted frames ``00000001.<image_type>``, ... of a folder (mode 2)."""

    folder: Path
    image_type: str

    def frames(self, start: int, end: int) -> Iterator[Frame]:
        for number in range(start, end + 1):
            yield Frame(number, read_image(source_frame_path(self.folder, number, self.image_type)))


FrameSource = VideoFrames | FolderFrames


@functools.lru_cache(maxsize=4)
def display_times(video: str, modified_ns: int) -> tuple[int, ...] | None:
    """The video stream's packet timestamps in display order (frame n's is item n - 1), read once per worker;
    None when some packet has none or two share one. ``modified_ns`` keys the cache to the file's version."""
    with open_video(Path(video)) as container:
        stream = container.streams.video[0]
        times = []
        try:
            for packet in container.demux(stream):
                if not packet.size:
                    continue  # the demuxer's empty end-of-stream packet
                if packet.pts is None:
                    return None
                times.append(packet.pts)
        except av.FFmpegError:
            return None  # a damaged file: the plain decode reports it with its own message
    if len(set(times)) != len(times):
        return None
    return tuple(sorted(times))


def _seek(video: Path, times: tuple[int, ...], start: int, end: int) -> Iterator[Frame]:
    number_of = {pts: number for number, pts in enumerate(times, start=1)}
    expected = start
    with open_video(video) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        try:
            container.seek(times[start - 1], stream=stream, backward=True, any_frame=False)
            for decoded in container.decode(stream):
                number = number_of.get(decoded.pts) if decoded.pts is not None else None
                if number is not None and number < expected:
                    continue  # between the key frame and the chunk
                if number != expected:
                    break  # landed past the frame, or a frame we cannot place: decode from the start instead
                # Upright as decode_frames makes them: a phone clip's chunks must match its first one.
                image = upright(decoded.to_ndarray(format="rgb24"), decoded)
                yield Frame(number, image, decoded.pts, decoded.duration or None)
                if number == end:
                    return
                expected += 1
        except av.FFmpegError as error:
            raise VideoError(
                f"{video} is corrupt near frame {expected} ({error.strerror or type(error).__name__}): "
                "repair or re-encode the video"
            ) from None
    if expected <= end and expected <= len(times):
        yield from decode_frames(video, FrameRange(expected, end))
