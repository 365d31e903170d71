"""Uploads: a file the page sends becomes a library source only once its content proves it a picture or a video.

The name the browser gives is used only for the stem; the kind and suffix come from the content (PIL's format, or
a video stream PyAV decodes a frame of). A picture's size is read from its header and refused above the pixel cap
before any pixel is decoded (a decompression bomb never expands); the body is refused above the byte cap while it
streams in. The file is written under a temporary name in ``.studio/uploads`` and moved into place only when every
check passed; on any failure it is removed, so a refused upload leaves nothing behind. Nothing is unpickled.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from PIL import Image

from deepdream_torch.studio.errors import StudioError
from deepdream_torch.studio.paths import studio_dir

MAX_BYTES = 512 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 8K frame is 33 MP; beyond this a picture is refused unread
PICTURE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "BMP": ".bmp"}


async def receive_upload(
    data: Path, filename: str, body: AsyncIterator[bytes], max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> Path:
    """Store an uploaded body as a new source (``single_pictures/`` or ``videos/``) and return its path."""
    temporary = studio_dir(data, "uploads") / f"{secrets.token_hex(8)}.part"
    try:
        size = 0
        with open(temporary, "wb") as out:  # noqa: ASYNC230 - local disk, chunks of 64 KiB
            async for chunk in body:
                size += len(chunk)
                if size > max_bytes:
                    raise StudioError(f"upload refused: larger than {max_bytes // (1024 * 1024)} MiB", 413)
                out.write(chunk)
        if size == 0:
            raise StudioError("upload refused: the file is empty")
        folder, suffix = _kind_of(temporary, max_pixels)
        target = _free_name(Path(data) / folder, _stem(filename), suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
        return target
    finally:
        temporary.unlink(missing_ok=True)


def _kind_of(path: Path, max_pixels: int) -> tuple[str, str]:
    """``(folder, suffix)`` for a picture or a video, by content; StudioError for anything else."""
    picture = _picture_suffix(path, max_pixels)
    if picture is not None:
        return "single_pictures", picture
    if _is_video(path):
        return "videos", ".mp4" if _container(path) == "mp4" else ".mkv"
    raise StudioError("upload refused: the file is neither a picture (JPEG, PNG, WebP, BMP) nor a video PyAV can read")


def _picture_suffix(path: Path, max_pixels: int) -> str | None:
    try:
        with Image.open(path) as image:  # reads the header only
            width, height = image.size
            if width * height > max_pixels:
                raise StudioError(
                    f"upload refused: {width}x{height} is over {max_pixels // 1_000_000} megapixels (not decoded)", 413)
            kind = image.format
            image.verify()
        if kind not in PICTURE_FORMATS:
            return None
        with Image.open(path) as image:
            image.load()  # verify() skips the pixels; a truncated file fails here, below the cap
        return PICTURE_FORMATS[kind]
    except StudioError:
        raise
    except Image.DecompressionBombError as error:
        raise StudioError(f"upload refused: over the pixel cap, not decoded ({error})", 413) from error
    except (OSError, SyntaxError, ValueError):
        return None


def _is_video(path: Path) -> bool:
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return False
            for _ in container.decode(video=0):
                return True
    except (av.error.FFmpegError, ValueError, OSError):
        return False
    return False


def _container(path: Path) -> str:
    import av

    with av.open(str(path)) as container:
        return "mp4" if "mp4" in container.format.name else "other"


def _stem(filename: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(filename.replace("\\", "/")).stem).strip("._")
    return stem[:80] or "upload"


def _free_name(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem_2.suffix``... when taken: an upload never replaces a file."""
    candidate, number = folder / f"{stem}{suffix}", 2
    while candidate.exists():
        candidate, number = folder / f"{stem}_{number}{suffix}", number + 1
    return candidate
