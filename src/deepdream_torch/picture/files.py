"""Writing pictures so a half-written file never carries a finished file's name."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from deepdream_torch.atomic import write_bytes

JPEG_QUALITY = 95
_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


def save_atomic(picture: np.ndarray | Image.Image, path: Path) -> Path:
    """Write ``picture`` to a hidden temporary name beside ``path``, then rename it into place (a rename within
    one folder is atomic). JPEGs get quality 95."""
    image = picture if isinstance(picture, Image.Image) else Image.fromarray(picture)
    file_format = _FORMATS[path.suffix.lower()]
    options = {"quality": JPEG_QUALITY} if file_format == "JPEG" else {}
    # Encoded in memory, then written by Python: Pillow's encoders write to a file in C and let a short write
    # (a full disk, a size limit) pass silently, which would leave a truncated picture under its final name.
    encoded = io.BytesIO()
    image.save(encoded, format=file_format, **options)
    return write_bytes(path, encoded.getbuffer())
