"""Writing pictures so a half-written file never carries a finished file's name."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from deepdream_torch.atomic import atomic_write

JPEG_QUALITY = 95
_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


def save_atomic(picture: np.ndarray | Image.Image, path: Path) -> Path:
    """Write ``picture`` to a hidden temporary name beside ``path``, then rename it into place (a rename within
    one folder is atomic). JPEGs get quality 95."""
    image = picture if isinstance(picture, Image.Image) else Image.fromarray(picture)
    file_format = _FORMATS[path.suffix.lower()]
    options = {"quality": JPEG_QUALITY} if file_format == "JPEG" else {}
    with atomic_write(path) as temporary:
        image.save(temporary, format=file_format, **options)
    return path
