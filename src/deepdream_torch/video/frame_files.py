"""Numbered frame files in a folder: which exist, whether they have gaps, and where a resumed run starts."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.paths import DREAM_FRAME, SOURCE_FRAME, dream_frame_path, source_frame_path


def numbered_files(folder: Path, pattern: re.Pattern[str], image_type: str) -> dict[int, Path]:
    """Frame number → file for the files in ``folder`` that ``pattern`` names with extension ``image_type``.

    Raises VideoError when the folder is missing or cannot be listed.
    """
    folder = Path(folder)
    if not folder.exists():
        raise VideoError(
            f"frames folder {folder} does not exist: check the folder name, or create the frames first"
        )
    if not folder.is_dir():
        raise VideoError(f"frames folder {folder} is a file, not a folder: give the folder of the frames")
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError as error:
        raise VideoError(
            f"cannot read frames folder {folder} ({error.strerror}): check its permissions"
        ) from None
    found = {}
    for name in names:
        match = pattern.match(name)
        if match and match.group(2) == image_type:
            found[int(match.group(1))] = folder / name
    return found


def source_frames(folder: Path, image_type: str, frames: FrameRange) -> dict[int, Path]:
    """The extracted frames (``00000001.jpg``, ...) of ``folder`` in ``frames``, checked for gaps."""
    fix = "extract the frames again (mode 1)"
    return _contiguous(folder, SOURCE_FRAME, source_frame_path, image_type, frames, fix)


def dreamed_frames(folder: Path, image_type: str, frames: FrameRange) -> dict[int, Path]:
    """The dreamed frames (``dream_frame_00000001.jpg``, ...) of ``folder`` in ``frames``, without gaps."""
    fix = "dream the missing frames (mode 0 or 2) first"
    return _contiguous(folder, DREAM_FRAME, dream_frame_path, image_type, frames, fix)


def _contiguous(
    folder: Path,
    pattern: re.Pattern[str],
    path_of: Callable[[Path, int, str], Path],
    image_type: str,
    frames: FrameRange,
    fix: str,
) -> dict[int, Path]:
    found = {n: path for n, path in numbered_files(folder, pattern, image_type).items() if n in frames}
    if not found:
        other = "png" if image_type == "jpg" else "jpg"
        if any(n in frames for n in numbered_files(folder, pattern, other)):
            raise VideoError(
                f"frames folder {folder} has {other} frames, not {image_type}: ask for image type {other}"
            )
        wanted = f"frames {frames.start}..{frames.end}" if frames.end else f"frames from {frames.start}"
        raise VideoError(f"frames folder {folder} has no {image_type} {wanted}: {fix}")
    # From the first frame there when no start frame was asked for: frames dreamed from a start frame on.
    first, last = (min(found) if frames.start == 1 else frames.start), max(found)
    missing = [n for n in range(first, last + 1) if n not in found]
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        first_missing = path_of(folder, missing[0], image_type).name
        raise VideoError(f"frames folder {folder} has gaps: {first_missing} is missing{more}; {fix}")
    return dict(sorted(found.items()))


def finished_until(folder: Path, image_type: str, frames: FrameRange) -> int:
    """The last frame of the unbroken run of dreamed frames from ``frames.start`` (``start - 1`` when none).

    A resumed run continues after it; dreamed frames past a gap are dreamed again, since each frame's input
    depends on the dream of the one before it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return frames.start - 1
    done = numbered_files(folder, DREAM_FRAME, image_type)
    number = frames.start
    while number in done and number in frames:
        number += 1
    return number - 1


def forget_dreamed(folder: Path, image_type: str, frames: FrameRange) -> int:
    """Delete the dreamed frames of ``frames`` in ``folder`` (a restart), so that none is taken for finished
    work later; returns how many were deleted."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    stale = [path for n, path in numbered_files(folder, DREAM_FRAME, image_type).items() if n in frames]
    for path in stale:
        path.unlink()
    return len(stale)
