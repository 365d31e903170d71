"""A source's dreams, as the CLI knows them: a video's frames folders (``frames list``'s call) and a picture's folder.

Deleting a dream removes its frames folder (and the video recorded in it) or one dreamed file; the page asks first,
and a path that is a library source, or outside the dream folders, is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from deepdream_torch.studio.errors import StudioError
from deepdream_torch.studio.library import is_source
from deepdream_torch.studio.paths import PICTURE_SUFFIXES, VIDEO_SUFFIXES, inside, relative_name

DREAM_ROOTS = ("output_frames", "dream_video", "single_pictures")


def dreams_of(data: Path, source: str) -> list[dict[str, Any]]:
    """The dreams of one source: for a video its frames folders with settings, frames and video; for a picture
    the pictures and zoom videos in its folder."""
    path = inside(data, source)
    if not path.is_file():
        raise StudioError(f"no file {source} in the data folder", 404)
    if path.suffix.lower() in VIDEO_SUFFIXES:
        return _video_dreams(data, path)
    folder = path.parent / path.stem
    if not folder.is_dir():
        return []
    found = []
    for item in sorted(folder.rglob("*")):
        if item.is_file() and not item.name.startswith(".") and item.parent.name != "zoom_frames" and (
                item.suffix.lower() in PICTURE_SUFFIXES or item.suffix.lower() in VIDEO_SUFFIXES):
            found.append({"name": relative_name(data, item), "kind": "video" if item.suffix == ".mp4" else "picture",
                          "label": item.name, "settings": None})
    return found


def _video_dreams(data: Path, video: Path) -> list[dict[str, Any]]:
    from deepdream_torch.cli.folder_words import describe
    from deepdream_torch.video.folder_choice import dreams_of as folder_dreams
    from deepdream_torch.video.manifest import recorded_video

    found = []
    for dream in folder_dreams(Path(data) / "output_frames", video.stem):
        record = dream.record
        recorded = recorded_video(dream.folder)
        video_file = recorded[0] if recorded is not None else None
        video_file = None if video_file is None else _in_workdir(data, video_file)
        playable = video_file is not None and video_file.is_file() and _inside_data(data, video_file)
        found.append({
            "name": relative_name(data, dream.folder), "kind": "frames", "label": dream.folder.name,
            "frames": dream.frames, "complete": None if record is None else record.complete,
            "settings": None if record is None else dict(record.settings),
            "described": "(not recorded)" if record is None else describe(record.settings),
            "video": relative_name(data, video_file) if playable else None,
        })
    return found


def _in_workdir(data: Path, path: Path) -> Path:
    """A path the CLI recorded relative to its working folder (``data/...``), as a path here."""
    text = path.as_posix()
    return Path(data) / text[len("data/"):] if not path.is_absolute() and text.startswith("data/") else path


def _inside_data(data: Path, path: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(data).resolve())


def delete(data: Path, name: str) -> str:
    """Remove one dream (a frames folder, a dreamed video or picture); returns what was removed."""
    path = inside(data, name)
    top = relative_name(data, path).split("/", 1)[0]
    if top not in DREAM_ROOTS or relative_name(data, path).count("/") < 1:
        raise StudioError(f"{name} is not a dream: only dreamed frames, videos and pictures are deleted", 403)
    if not path.exists():
        raise StudioError(f"no {name} in the data folder", 404)
    if is_source(data, path) or (top == "single_pictures" and path.parent == Path(data).resolve() / top):
        raise StudioError(f"{name} is a source: the studio never deletes sources", 403)
    if path.is_dir():
        recorded = _recorded_video(path)
        shutil.rmtree(path)
        if recorded is not None and recorded.is_file() and _inside_data(data, recorded):
            recorded.unlink()
    else:
        path.unlink()
    return name


def _recorded_video(folder: Path) -> Path | None:
    from deepdream_torch.video.manifest import recorded_video

    recorded = recorded_video(folder)
    return None if recorded is None else _in_workdir(folder.parents[1], recorded[0])
