"""A video written under its partial name and moved into place once complete: the one owner of that step for
every mode that encodes (modes 0 and 3, the zoom animation).

Until a run is complete its video is ``paths.partial_video_path(video_out)`` (``<name>.partial.mp4``), playable
after a stop; a stopped run that wrote no frame leaves no partial video behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from deepdream_torch.video.encode import VideoWriter, open_writer
from deepdream_torch.video.errors import VideoInterrupted
from deepdream_torch.video.paths import partial_video_path


@dataclass(frozen=True)
class Encoder:
    """How a video is written: ``crf`` (None: the encoder's default quality) and, for frames with no source video
    to take their times from (mode 3 without one, a zoom), ``frame_rate``."""

    crf: int | None = None
    frame_rate: Fraction = Fraction(25)


DEFAULT_ENCODER = Encoder()


class PartialVideo:
    """``video_out`` while it is written: ``open`` the writer on the partial file, then ``close`` the run."""

    def __init__(self, video_out: Path) -> None:
        self.video_out = Path(video_out)
        self.path = partial_video_path(self.video_out)
        self.frames = 0

    @contextmanager
    def open(self, **options: Any) -> Iterator[VideoWriter]:
        """The writer of the partial file (``encode.open_writer``'s ``options``); closed when the block ends."""
        self.video_out.parent.mkdir(parents=True, exist_ok=True)
        with open_writer(self.path, **options) as writer:
            yield writer
        self.frames = writer.frames

    def close(self, complete: bool, done: int, hint: str) -> None:
        """Move the partial video into place when ``complete``; else keep it when it has frames (deleted when not)
        and raise VideoInterrupted with ``hint`` (how to go on) and ``done`` (frames finished)."""
        if complete:
            os.replace(self.path, self.video_out)
            return
        kept = f"the partial video is {self.path}" if self.frames else "no video was written yet"
        if not self.frames:
            self.path.unlink(missing_ok=True)
        raise VideoInterrupted(f"interrupted: {kept}; {hint}", done, self.path if self.frames else None)
