"""The settings a frames folder was dreamed with, kept beside the frames (``deepdream_settings.json``).

A rerun resumes only when its settings are the ones recorded: frames of two different dreams must never end up
in one video. The settings are a plain JSON-able mapping the caller builds (the CLI's ``frame_settings``: model
sha1, layers, every dream setting, guide, blend, seed, ...); this module only compares and records them, and
how far the run that made the frames got, which mode 3 reports.

A folder that holds dreamed frames but no manifest (made before manifests existed, or by hand) is refused: its
settings cannot be checked, so ``--restart`` (or another output folder) is the way on.

Runners do not call it directly: ``checkpoint.FramesCheckpoint`` owns a frames folder's lifecycle (check, record,
outcome) for every mode.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepdream_torch.atomic import write_text
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.paths import DREAM_FRAME

MANIFEST_NAME = "deepdream_settings.json"
FORMAT = 1
_NAMED = 3  # settings named in a refusal; the rest are counted


class SettingsChanged(VideoError):
    """The frames in a folder were dreamed with other settings than this run's (or with unknown ones)."""


@dataclass(frozen=True)
class RunRecord:
    """What a frames folder's manifest says: the ``settings``, and of the last run ``done`` of ``total``
    frames, ``complete`` when it dreamed all the frames it was asked for."""

    settings: dict[str, Any]
    done: int
    total: int
    complete: bool


def manifest_path(frames_dir: Path) -> Path:
    return Path(frames_dir) / MANIFEST_NAME


def read_record(frames_dir: Path) -> RunRecord | None:
    """The manifest of ``frames_dir``, or None when there is none. Raises VideoError when it is unreadable."""
    path = manifest_path(frames_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise VideoError(
            f"cannot read {path} ({error}): delete it and add --restart to dream the frames again"
        ) from None
    refused = VideoError(
        f"{path} is not a settings manifest: delete it and add --restart to dream the frames again"
    )
    if not isinstance(data, dict) or not isinstance(data.get("settings"), dict):
        raise refused
    try:
        return RunRecord(
            settings=data["settings"],
            done=int(data.get("done", 0)),
            total=int(data.get("total", 0)),
            complete=bool(data.get("complete", False)),
        )
    except (TypeError, ValueError):  # a count edited into something that is not a number
        raise refused from None


def normal(frame_settings: Mapping[str, object]) -> dict[str, Any]:
    """``frame_settings`` as it reads back from JSON (tuples become lists, keys strings), for comparing."""
    try:
        return json.loads(json.dumps(dict(frame_settings)))
    except (TypeError, ValueError) as error:
        raise TypeError(f"frame settings must be JSON values: {error}") from None


def differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """``name: old → new`` for each setting that differs (a setting only one side has counts too)."""
    missing = object()
    changed = []
    for key in [*new, *(key for key in old if key not in new)]:
        before, after = old.get(key, missing), new.get(key, missing)
        if before != after:
            changed.append(f"{key}: {_short(before, missing)} → {_short(after, missing)}")
    return changed


def dreamed_files(frames_dir: Path) -> list[Path]:
    """Every dreamed frame file in ``frames_dir`` (either image type, any number)."""
    folder = Path(frames_dir)
    if not folder.is_dir():
        return []
    return [entry for entry in folder.iterdir() if DREAM_FRAME.match(entry.name)]


def check_settings(frames_dir: Path, frame_settings: Mapping[str, object], restart: bool) -> bool:
    """Whether the frames in ``frames_dir`` may be resumed with ``frame_settings``; raises SettingsChanged when not.

    True when the folder's dreamed frames were made with these settings (or it holds none). With ``restart``
    nothing is refused: False says the recorded settings differ, so every dreamed frame there belongs to another
    dream and must go, not only those of this run's range (``forget_other_dream``).
    """
    frames_dir = Path(frames_dir)
    new = normal(frame_settings)
    frames = dreamed_files(frames_dir)
    record = read_record(frames_dir)
    if record is None:
        if not frames:
            return True
        if restart:
            return False
        raise SettingsChanged(
            f"{frames_dir} holds {len(frames)} dreamed frames but no record of the settings they were dreamed with"
            f" ({MANIFEST_NAME}): add --restart to dream them again, or choose another output folder (-o)"
        )
    changed = differences(record.settings, new)
    if not changed:
        return True
    if restart or not frames:
        return False
    named = "; ".join(changed[:_NAMED]) + (
        f"; and {len(changed) - _NAMED} more" if len(changed) > _NAMED else ""
    )
    raise SettingsChanged(
        f"the frames in {frames_dir} were dreamed with other settings ({named}): add --restart to dream them "
        "again with these, or choose another output folder (-o)"
    )


def forget_other_dream(frames_dir: Path) -> int:
    """Delete every dreamed frame of ``frames_dir`` (``--restart`` with changed settings); returns how many."""
    frames = dreamed_files(frames_dir)
    for path in frames:
        path.unlink()
    return len(frames)


def record_settings(
    frames_dir: Path, frame_settings: Mapping[str, object], *, done: int = 0, total: int = 0
) -> None:
    """Record ``frame_settings`` as the settings of ``frames_dir``'s frames, with a run under way."""
    _write(frames_dir, normal(frame_settings), done, total, complete=False)


def record_outcome(frames_dir: Path, done: int, total: int, complete: bool) -> None:
    """Record how the run ended (``done`` of ``total`` frames); the settings stay as recorded."""
    record = read_record(frames_dir)
    if record is not None:
        _write(frames_dir, record.settings, done, total, complete)


def record_video(frames_dir: Path, video: Path, frames: FrameRange) -> None:
    """Record that ``video`` was made from the frames of ``frames`` in ``frames_dir`` (modes 0 and 3), so that
    assembling the same frames again finds it (``assembled_video``) instead of writing a second copy. Nothing
    is recorded for a folder without a manifest."""
    try:
        record = read_record(frames_dir)
        if record is not None:
            made = {"path": str(video), "start": frames.start, "end": frames.end}
            _write(frames_dir, record.settings, record.done, record.total, record.complete, video=made)
    except VideoError:
        pass  # the video is whole either way; unrecorded, the next mode 3 assembles it again


def recorded_video(frames_dir: Path) -> tuple[Path, FrameRange, bool] | None:
    """The video last made from ``frames_dir``'s frames (it may be gone since), the frames it was made from, and
    whether the run that dreamed them had finished; None when none is recorded."""
    try:
        data = json.loads(manifest_path(frames_dir).read_text(encoding="utf-8"))
        made = data["video"]
        return Path(made["path"]), FrameRange(made["start"], made["end"]), data.get("complete") is True
    except (OSError, ValueError, TypeError, KeyError, VideoError):
        return None


def assembled_video(frames_dir: Path, frames: FrameRange) -> Path | None:
    """The video recorded as made from the frames ``frames`` of ``frames_dir``, when it is still there, the run
    that dreamed them finished, and no frame was written after it; else None (it must be assembled again)."""
    recorded = recorded_video(frames_dir)
    if recorded is None:
        return None
    video, made_from, complete = recorded
    try:
        written = video.stat().st_mtime_ns
    except OSError:
        return None
    if not (made_from == frames and complete and video.is_file()):
        return None
    if any(path.stat().st_mtime_ns > written for path in dreamed_files(frames_dir)):
        return None
    return video


def _write(
    frames_dir: Path,
    settings: dict[str, Any],
    done: int,
    total: int,
    complete: bool,
    video: dict[str, Any] | None = None,
) -> None:
    data: dict[str, Any] = {"format": FORMAT, "settings": settings, "done": done, "total": total, "complete": complete}
    if video is None:  # the video made from these frames stays recorded while the settings stay the same
        video = _recorded_video(frames_dir, settings)
    if video is not None:
        data["video"] = video
    try:
        write_text(manifest_path(frames_dir), json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    except OSError as error:
        raise VideoError(
            f"cannot write {manifest_path(frames_dir)} ({error.strerror}): check the folder's permissions and "
            "free space"
        ) from None


def _recorded_video(frames_dir: Path, settings: dict[str, Any]) -> dict[str, Any] | None:
    try:
        data = json.loads(manifest_path(frames_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("settings") != settings or not isinstance(data.get("video"), dict):
        return None
    return data["video"]


def _short(value: object, missing: object) -> str:
    if value is missing:
        return "(none)"
    if isinstance(value, list):
        text = ",".join(str(item) for item in value)
    elif isinstance(value, str) and len(value) == 40 and all(c in "0123456789abcdef" for c in value):
        text = f"sha1 {value[:10]}"  # a model or a guide picture: its sha1's first digits are enough
    else:
        text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."
