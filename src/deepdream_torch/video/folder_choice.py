"""Which frames folder holds a video's dream of given settings, so that trying other settings never needs a flag.

A video's dreams live side by side in its output root: ``<name>/`` for the first dream, and for a dream with
other settings ``<name>_<words>/``, the words naming its settings the way picture file names do
(``my_video_i-6_b-0.85_L-inception_4c-output/``). The same settings always find the same folder again, so a
rerun resumes there; the frames and video of the other dream stay as they are. A folder is only ever shared
by frames of one dream: where a named folder already holds another dream (settings that the words do not tell
apart), the sha1 of the settings is added to the name.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.manifest import RunRecord, differences, dreamed_files, normal, read_record

# The words a dream's folder is named with, given the keys of the settings that differ from the video's first
# dream (None when its settings were not recorded); and the folder that a name's words stand for.
WordsFor = Callable[[Sequence[str] | None], str]
FolderFor = Callable[[str], Path]


@dataclass(frozen=True)
class FolderChoice:
    """Where a dream run writes: ``folder``, named with ``words`` ("" for the video's first folder); when it is
    not the first folder because that one holds another dream, ``other`` is that folder and ``changed`` how the
    settings differ (``name: old → new``)."""

    folder: Path
    words: str = ""
    other: Path | None = None
    changed: tuple[str, ...] = ()

    def describe(self) -> str | None:
        """One line saying why the frames go where they go, or None when they go to the video's first folder."""
        if self.other is None:
            return None
        why = "; ".join(self.changed[:3]) + (f"; and {len(self.changed) - 3} more" if len(self.changed) > 3 else "")
        return (
            f"{self.other} holds a dream with other settings ({why or 'settings not recorded'}): this one goes to"
            f" {self.folder}, beside it (run the same command again to resume it there)"
        )


@dataclass(frozen=True)
class FolderDream:
    """A frames folder of one video: its ``record`` (None when it has no manifest) and ``frames`` dreamed."""

    folder: Path
    record: RunRecord | None
    frames: int


def choose_frames_folder(
    folder_for: FolderFor, words_for: WordsFor, frame_settings: Mapping[str, object]
) -> FolderChoice:
    """The folder a dream run with ``frame_settings`` writes; ``folder_for("")`` is the video's first folder.

    The first folder when its frames were dreamed with these settings, or when it holds no frame yet; else the
    folder named with ``words_for``'s words (given the keys of the settings that differ from the first folder's
    dream), or with those words and the settings' sha1 where that folder holds yet another dream. A named folder
    that already holds these settings' dream is found first, so the same command resumes there even after the
    first folder was emptied.
    """
    new = normal(frame_settings)
    base = folder_for("")
    base_state = _state(base, new)
    if base_state == "same":
        return FolderChoice(base)
    record = read_record(base) if base_state == "other" else None
    changed = tuple(differences(record.settings, new)) if record is not None else ()
    words = words_for([line.split(":", 1)[0] for line in changed] if record is not None else None)
    other = base if base_state == "other" else None
    candidates = [words, f"{words}_{settings_sha1(new)[:8]}"]
    states = {name: _state(folder_for(name), new) for name in candidates}
    for name, state in states.items():
        if state == "same":
            return FolderChoice(folder_for(name), name, other, changed)
    if base_state == "free":
        return FolderChoice(base)
    name = words if states[words] == "free" else candidates[1]
    return FolderChoice(folder_for(name), name, other, changed)


def find_frames_folder(folder_for: FolderFor, words: str, known: Mapping[str, object]) -> FolderChoice:
    """The folder mode 3 assembles for the flags a dream run was given: the one named with their ``words`` (or
    with those words and a settings sha1) when its dream agrees with ``known``, the settings the flags tell
    without the model; else the video's first folder, as a dream run with those flags would have chosen."""
    wanted = normal(known)
    if words:
        named = folder_for(words)
        # The sha1-suffixed twins' names, whatever folder_for puts around the words (``_guided`` after them).
        before, after = folder_for(f"{words}_\0").name.split("\0")
        twin = re.compile(re.escape(before) + "([0-9a-f]{8})" + re.escape(after))
        twins = sorted(p for p in named.parent.iterdir() if twin.fullmatch(p.name)) if named.parent.is_dir() else []
        for folder in (named, *twins):
            record = _record_or_none(folder)
            if record is not None and dreamed_files(folder) and _agrees(record.settings, wanted):
                match = twin.fullmatch(folder.name)
                return FolderChoice(folder, f"{words}_{match.group(1)}" if match else words)
    return FolderChoice(folder_for(""))


def dreams_of(root: Path, name: str) -> list[FolderDream]:
    """Every frames folder of the video called ``name`` under ``root`` (``<name>``, ``<name>_guided``,
    ``<name>_<words>...``), the first folder first, with what each holds. A folder of another video whose name
    starts the same way is listed only when it holds dreamed frames or a manifest."""
    root = Path(root)
    if not root.is_dir():
        return []
    folders = [root / name] if (root / name).is_dir() else []
    folders += sorted(p for p in root.glob(f"{_glob_escape(name)}_*") if p.is_dir())
    found = []
    for folder in folders:
        record = _record_or_none(folder)
        frames = len(dreamed_files(folder))
        if frames or record is not None:
            found.append(FolderDream(folder, record, frames))
    return found


def settings_sha1(settings: Mapping[str, Any]) -> str:
    """The sha1 of settings as JSON with sorted keys: the same settings, the same digest in every run."""
    return hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _state(folder: Path, new: Mapping[str, Any]) -> str:
    """``free`` (no dreamed frame), ``same`` (frames of these settings) or ``other`` (of other or unknown ones)."""
    if not dreamed_files(folder):
        return "free"
    record = read_record(folder)
    return "same" if record is not None and not differences(record.settings, new) else "other"


def _agrees(recorded: Mapping[str, Any], known: Mapping[str, Any]) -> bool:
    return all(recorded.get(key) == value for key, value in known.items())


def _record_or_none(folder: Path) -> RunRecord | None:
    try:
        return read_record(folder)
    except VideoError:  # an unreadable manifest: listed as unknown, and never chosen by its settings
        return None


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)
