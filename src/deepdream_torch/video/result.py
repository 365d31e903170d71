"""What a video mode returns, and the checks and messages the modes share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deepdream_torch.safe_paths import refuse_overwrite, refuse_writes_into
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.manifest import MANIFEST_NAME
from deepdream_torch.video.paths import DREAM_FRAME


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


def refuse_to_overwrite_inputs_in(frames_dir: Path) -> None:
    """VideoError when an input the run protects (``safe_paths.protect``: a guide picture, ...) lies in
    ``frames_dir`` under a name a dream run writes, deletes (``--restart``) or records there."""
    refuse_writes_into(frames_dir, _dream_run_writes, error=VideoError)


def _dream_run_writes(name: str) -> bool:
    return bool(DREAM_FRAME.match(name)) or name == MANIFEST_NAME


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
