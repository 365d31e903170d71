"""Every path the studio reads or writes is a path inside the data folder, checked after symlinks are resolved.

The page names files relative to the data folder (``videos/clip.mp4``). ``inside`` resolves the name (``..``,
symlinks, doubled or encoded separators already decoded by the server) and refuses any result that is not the data
folder or below it, so neither a crafted name nor a symlink planted in the folder reaches another file.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from deepdream_torch.studio.errors import StudioError

PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")
VIDEO_SUFFIXES = (".mp4", ".mkv", ".mov", ".webm", ".avi", ".m4v")
STUDIO_DIR = ".studio"  # the studio's own state (queue, thumbnails, previews), inside the data folder


def inside(data: Path, name: str) -> Path:
    """The resolved path of ``name`` (relative to ``data``), or StudioError when it leaves the data folder."""
    root = Path(data).resolve()
    if not name or "\x00" in name or "\\" in name:
        raise StudioError(f"not a file name in the data folder: {name!r}", 404)
    relative = PurePosixPath(name)
    if relative.is_absolute():
        raise StudioError(f"not a file name in the data folder: {name!r} (give a path relative to it)", 404)
    path = (root / relative).resolve()
    if path != root and not path.is_relative_to(root):
        raise StudioError(f"{name!r} is outside the data folder; the studio serves nothing else", 404)
    return path


def relative_name(data: Path, path: Path) -> str:
    """The name the page uses for ``path``: relative to the resolved data folder, with ``/``."""
    return Path(path).resolve().relative_to(Path(data).resolve()).as_posix()


def studio_dir(data: Path, *parts: str) -> Path:
    """``<data>/.studio/<parts>``, created."""
    folder = Path(data).resolve().joinpath(STUDIO_DIR, *parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
