"""Where a worker reads its frames from: the source video or the extracted frames folder, by path.

Workers read their own frames, so the driver decodes nothing it does not need and no frame crosses the
network twice. On a cluster of several machines the path must therefore mean the same file on every machine
(a shared filesystem: NFS, a mounted bucket), as must the folder the dreamed frames are written to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deepdream_torch.video.decode import decode_frames
from deepdream_torch.video.frame import Frame, FrameRange
from deepdream_torch.video.images import read_image
from deepdream_torch.video.paths import source_frame_path


@dataclass(frozen=True)
class VideoFrames:
    """Frames of a video file (mode 0)."""

    video: Path

    def frames(self, start: int, end: int) -> Iterator[Frame]:
        # Frames before ``start`` are decoded but not converted to RGB: a small cost beside dreaming a chunk
        # (a 1080p H.264 stream decodes at hundreds of frames per second), and numbering stays exactly the
        # single-process modes' numbering, which seeking by timestamp cannot promise for every container.
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
