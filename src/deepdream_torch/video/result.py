"""What a video mode returns, and the checks and messages the modes share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deepdream_torch.safe_paths import refuse_overwrite
from deepdream_torch.video.errors import VideoError


@dataclass(frozen=True)
class RunResult:
    """A finished run: ``frames`` frames in ``frames_dir`` (``dreamed`` now, ``reused`` from an earlier run),
    and for modes 0 and 3 the ``video`` written and its ``audio`` (e.g. "aac, re-encoded from vorbis")."""

    frames_dir: Path
    frames: int
    dreamed: int = 0
    reused: int = 0
    video: Path | None = None
    audio: str | None = None


def refuse_to_overwrite(source: Path | None, *outputs: Path) -> None:
    """VideoError when an output path is the source video (or another input the run protects, such as its guide
    picture; ``safe_paths``), a symlink or a hard link of it included: an input is never overwritten."""
    refuse_overwrite(outputs, {"input video": source}, error=VideoError)


def resume_hint(done: int, total: int, frames_dir: Path, next_frame: int, restart: bool = False) -> str:
    """The part of an interrupted run's message that says where things are and how to go on. After a run with
    ``--restart``, the same command would start over again: the way on is that command without it."""
    where = f"{done} of {total} frames are dreamed in {frames_dir}"
    if restart:
        return (
            f"{where}; run the same command again without --restart to continue from frame {next_frame} "
            "(with --restart it starts over)"
        )
    return f"{where}; run the same command again to continue from frame {next_frame} (or add --restart to start over)"
