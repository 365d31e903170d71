"""Pictures in and out of the net's space: any picture file as the upright 8-bit RGB a viewer shows, and RGB uint8
<-> BGR float with the model's mean subtracted (Caffe's convention, 0-255 scale)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from deepdream_torch.dreaming.errors import DreamError

Picture = Any  # an (H, W, 3) uint8 RGB ndarray, a PIL image, or a path to a picture file

# 80 megapixels: a 10000x8000 photo still opens; a tiny PNG declaring 100000x100000 (a decompression bomb) does
# not, before a byte of it is decoded. Pillow's own warning starts at 89 Mpx, so ours always speaks first.
MAX_PICTURE_PIXELS = 80_000_000


def as_rgb_array(picture: Picture) -> np.ndarray:
    """An (H, W, 3) uint8 RGB array from an array, a PIL image or a picture file; DreamError if it is none.

    Files and PIL images come out as a viewer shows them: turned upright by their EXIF orientation, and wide
    pixels (16-bit, 32-bit integer, float) scaled to 8 bits by ``eight_bits`` instead of clipped.
    """
    if isinstance(picture, (str, Path)):
        picture = read_picture(Path(picture))
    if isinstance(picture, Image.Image):
        picture = _rgb(ImageOps.exif_transpose(picture))
    if not isinstance(picture, np.ndarray):
        raise DreamError(
            f"a picture must be an RGB array, a PIL image or a file path, not {type(picture).__name__}"
        )
    if picture.dtype != np.uint8 or picture.ndim != 3 or picture.shape[2] != 3:
        raise DreamError(
            f"a picture array must be (height, width, 3) uint8 RGB; got {picture.shape} {picture.dtype}"
        )
    if picture.shape[0] == 0 or picture.shape[1] == 0:
        raise DreamError(f"the picture is empty ({picture.shape[1]}x{picture.shape[0]} pixels)")
    return picture


def read_picture(path: Path) -> np.ndarray:
    """The picture file ``path`` as upright (H, W, 3) uint8 RGB; DreamError if it cannot be read or is larger
    than ``MAX_PICTURE_PIXELS`` (checked on the header, before decoding)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                _check_size(path, opened.size)
                return _rgb(ImageOps.exif_transpose(opened))
    except Image.DecompressionBombError:
        # Pillow refuses pictures past twice its own limit while opening them, before we see their size.
        raise DreamError(
            f"picture {str(path)!r} declares more than {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels, more "
            f"than the {MAX_PICTURE_PIXELS // 1_000_000} megapixels this tool reads: scale it down first"
        ) from None
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as error:
        raise DreamError(f"cannot read picture {str(path)!r}: {error}") from None


def eight_bits(values: np.ndarray, sixteen_bit: bool = False) -> np.ndarray:
    """Grey levels of any depth as uint8, scaled by what the numbers mean rather than clipped at 255.

    ``sixteen_bit`` integers (PNG/TIFF 16-bit) by their bit depth: 65535 is white. Otherwise, values within
    0..1 that are not integers are a float picture (1 is white); values within 0..255 are 8-bit already; within
    0..65535, 16-bit data Pillow widened to 32 bits; anything else (negatives, beyond 16 bits) is stretched from
    its own minimum (black) to its maximum (white). Not-a-number and infinities are black.
    """
    floating = np.issubdtype(values.dtype, np.floating)
    # float32: exact for 16-bit values, half the memory of float64 on an 80-megapixel picture
    values = np.nan_to_num(values.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if sixteen_bit or (low >= 0 and 255 < high <= 65535 and not floating):
        scaled = values * (255 / 65535)
    elif floating and low >= 0 and high <= 1:
        scaled = values * 255
    elif low >= 0 and high <= 255:
        scaled = values
    else:
        scaled = (values - low) * (255 / (high - low)) if high > low else np.zeros_like(values)
    return np.rint(np.clip(scaled, 0, 255)).astype(np.uint8)


def _rgb(image: Image.Image) -> np.ndarray:
    if image.mode in ("I", "F") or image.mode.startswith("I;16"):
        grey = eight_bits(np.asarray(image), sixteen_bit=image.mode.startswith("I;16"))
        return np.repeat(grey[:, :, None], 3, axis=2)
    # Every other mode (palette, 1-bit, LA/RGBA with the alpha dropped, CMYK, YCbCr, 16-bit RGB, which Pillow
    # already reads as 8-bit) has a conversion Pillow knows.
    return np.asarray(image.convert("RGB"))


def _check_size(path: Path, size: tuple[int, int]) -> None:
    width, height = size
    if width * height > MAX_PICTURE_PIXELS:
        raise DreamError(
            f"picture {str(path)!r} is {width}x{height} ({width * height / 1e6:.0f} megapixels), more than the "
            f"{MAX_PICTURE_PIXELS // 1_000_000} megapixels this tool reads: scale it down first"
        )


def mean_tensor(mean: tuple[float, float, float], device: torch.device) -> torch.Tensor:
    """The B, G, R mean shaped to broadcast over (N, 3, H, W)."""
    return torch.tensor(mean, dtype=torch.float32, device=device).view(1, 3, 1, 1)


def to_net(pictures: np.ndarray, mean: torch.Tensor) -> torch.Tensor:
    """(N, H, W, 3) uint8 RGB on the host -> (N, 3, H, W) float32 BGR minus mean on ``mean``'s device."""
    return to_net_channels(pictures, mean.device).float().sub_(mean)  # in place: one float copy, not two at once


def to_net_channels(pictures: np.ndarray, device: torch.device) -> torch.Tensor:
    """(N, H, W, 3) uint8 RGB on the host -> (N, 3, H, W) uint8 BGR on ``device``: ``to_net`` before the mean, a
    quarter of its memory."""
    # from_numpy shares memory and wants it writable and contiguous; copy only when it is not (PIL's arrays).
    host = np.require(pictures, dtype=np.uint8, requirements=["C_CONTIGUOUS", "WRITEABLE"])
    rgb = torch.from_numpy(host).to(device, non_blocking=True)
    return rgb.permute(0, 3, 1, 2).flip(1)


def to_pictures(x: torch.Tensor, mean: torch.Tensor) -> np.ndarray:
    """(N, 3, H, W) net-space float -> (N, H, W, 3) uint8 RGB on the host (rounded, where the original truncated)."""
    # A band of rows at a time: the float sum is a sixteenth of the picture at most beside the dream's own copies.
    n, _, height, width = x.shape
    rgb = torch.empty((n, height, width, 3), dtype=torch.uint8, device=x.device)
    band = -(-height // 16)
    for top in range(0, height, band):
        rows = slice(top, top + band)
        eight_bit = (x[:, :, rows] + mean).round_().clamp_(0, 255).to(torch.uint8)
        rgb[:, rows] = eight_bit.flip(1).permute(0, 2, 3, 1)
    return rgb.cpu().numpy()
