"""Frame files: read one as RGB; write one so that a file on disk is always complete (the checkpoint)."""

from __future__ import annotations

import errno
import io
from pathlib import Path

import numpy as np
from PIL import Image

from deepdream_torch.atomic import write_bytes
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.pixels import read_picture
from deepdream_torch.safe_paths import OverwriteRefused
from deepdream_torch.video.errors import VideoError

JPEG_QUALITY = 95


def read_image(path: Path) -> np.ndarray:
    """The picture at ``path`` as (H, W, 3) uint8 RGB, upright and 8-bit as a viewer shows it (the reader
    single pictures use: EXIF orientation, 16-bit and float pictures scaled, a size limit)."""
    try:
        return read_picture(Path(path))
    except DreamError as error:
        if not Path(path).exists():
            raise VideoError(f"frame {path} is missing: extract or dream the frames again") from None
        raise VideoError(f"cannot read frame {path} ({error}): delete it and extract or dream it again") from None


def write_image(path: Path, image: np.ndarray) -> None:
    """Save ``image`` (H, W, 3 uint8 RGB) as ``path`` (.jpg at quality 95 with full colour, or .png).

    Written under a hidden temporary name and renamed into place, so that an interrupted run never leaves a
    half-written frame that a resumed run would take for finished.
    """
    path = Path(path)
    picture = Image.fromarray(np.ascontiguousarray(image))
    # Encoded in memory, then written by Python: Pillow's encoders write to a file in C and let a short write
    # (a full disk, a size limit) pass silently, which would leave a truncated frame that looks finished.
    encoded = io.BytesIO()
    if path.suffix.lower() == ".png":
        # Level 1: a fraction of the default's time for a few percent more bytes, once per dreamed frame.
        picture.save(encoded, format="PNG", compress_level=1)
    else:
        picture.save(encoded, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    try:
        write_bytes(path, encoded.getbuffer())
    except OverwriteRefused as refused:
        raise VideoError(str(refused)) from None
    except OSError as error:
        if error.errno not in (errno.ENOENT, errno.ENOTDIR):
            raise  # disk full, read-only...: the CLI says what it means for this frame in one line, exit code 1
        raise VideoError(
            f"cannot write frame {path} ({error}): check the folder's permissions and free space"
        ) from None
