"""The library: the pictures and videos a person dreams, in the CLI's folders under the data folder, with thumbnails.

Sources live where the CLI's README puts them: ``single_pictures/``, ``videos/`` and ``guide_pictures/``. A
thumbnail is made once per file version (its name, size and modification time) into ``.studio/thumbs/`` and
served from there afterwards, so a library of hundreds of pictures lists in a scan of the folders.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from deepdream_torch.studio.errors import StudioError
from deepdream_torch.studio.paths import (
    PICTURE_SUFFIXES,
    STUDIO_DIR,
    VIDEO_SUFFIXES,
    inside,
    relative_name,
    studio_dir,
)

SOURCE_FOLDERS = {"single_pictures": "picture", "videos": "video", "guide_pictures": "guide"}
THUMB_SIDE = 160


@dataclass(frozen=True)
class Source:
    name: str  # relative to the data folder
    kind: str  # picture, video or guide
    bytes: int
    modified: float

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "kind": self.kind, "bytes": self.bytes, "modified": self.modified,
                "stem": Path(self.name).stem}


def sources(data: Path) -> list[Source]:
    """Every picture and video in the source folders (their top level: subfolders hold dreams), by name."""
    found = []
    for folder, kind in SOURCE_FOLDERS.items():
        root = Path(data) / folder
        if not root.is_dir():
            continue
        suffixes = VIDEO_SUFFIXES if kind == "video" else PICTURE_SUFFIXES
        with os.scandir(root) as entries:
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_file():
                    continue
                if os.path.splitext(entry.name)[1].lower() in suffixes:
                    stat = entry.stat()
                    found.append(Source(f"{folder}/{entry.name}", kind, stat.st_size, stat.st_mtime))
    return sorted(found, key=lambda source: source.name)


def is_source(data: Path, path: Path) -> bool:
    """Whether ``path`` is one of the library's sources (never deleted, never written)."""
    from deepdream_torch.safe_paths import same_file

    return any(same_file(path, Path(data) / source.name) for source in sources(data))


def cached_thumbnail(data: Path, name: str) -> Path:
    """Where the thumbnail of this version of the file is (or will be) kept; StudioError for a bad name."""
    path = inside(data, name)
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if stat is None or not path.is_file():
        raise StudioError(f"no file {name} in the data folder", 404)
    key = hashlib.sha1(f"{relative_name(data, path)}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()
    return Path(data).resolve() / STUDIO_DIR / "thumbs" / f"{key}.jpg"


def thumbnail(data: Path, name: str) -> Path:
    """The cached thumbnail of a picture or video (made on first use): a JPEG at most THUMB_SIDE on a side."""
    thumb = cached_thumbnail(data, name)
    if not thumb.is_file():
        studio_dir(data, "thumbs")
        _write_thumbnail(first_picture(inside(data, name)), thumb)
    return thumb


def first_picture(path: Path) -> Image.Image:
    """A picture file as RGB, or a video's first frame."""
    if path.suffix.lower() in VIDEO_SUFFIXES:
        import av

        try:
            with av.open(str(path)) as container:
                for frame in container.decode(video=0):
                    return frame.to_image().convert("RGB")
        except (av.error.FFmpegError, ValueError) as error:
            raise StudioError(f"cannot read {path.name} as a video: {error}") from error
        raise StudioError(f"{path.name} holds no video frame")
    try:
        with Image.open(path) as image:
            return image.convert("RGB")
    except (OSError, Image.DecompressionBombError) as error:
        raise StudioError(f"cannot read {path.name} as a picture: {error}") from error


def _write_thumbnail(image: Image.Image, thumb: Path) -> None:
    from deepdream_torch.atomic import atomic_write

    image.thumbnail((THUMB_SIDE, THUMB_SIDE))
    with atomic_write(thumb) as temporary:
        image.save(temporary, "JPEG", quality=85)
