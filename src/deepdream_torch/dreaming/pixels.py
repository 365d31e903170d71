"""Pictures in and out of the net's space: RGB uint8 <-> BGR float with the model's mean subtracted (Caffe's
convention, 0-255 scale)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from deepdream_torch.dreaming.errors import DreamError

Picture = Any  # an (H, W, 3) uint8 RGB ndarray, a PIL image, or a path to a picture file


def as_rgb_array(picture: Picture) -> np.ndarray:
    """An (H, W, 3) uint8 RGB array from an array, a PIL image or a picture file; DreamError if it is none."""
    if isinstance(picture, (str, Path)):
        try:
            with Image.open(picture) as opened:
                picture = opened.convert("RGB")
        except (OSError, UnidentifiedImageError) as error:
            raise DreamError(f"cannot read picture {str(picture)!r}: {error}") from error
    if isinstance(picture, Image.Image):
        picture = np.asarray(picture.convert("RGB"))
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


def mean_tensor(mean: tuple[float, float, float], device: torch.device) -> torch.Tensor:
    """The B, G, R mean shaped to broadcast over (N, 3, H, W)."""
    return torch.tensor(mean, dtype=torch.float32, device=device).view(1, 3, 1, 1)


def to_net(pictures: np.ndarray, mean: torch.Tensor) -> torch.Tensor:
    """(N, H, W, 3) uint8 RGB on the host -> (N, 3, H, W) float32 BGR minus mean on ``mean``'s device."""
    # from_numpy shares memory and wants it writable and contiguous; copy only when it is not (PIL's arrays).
    host = np.require(pictures, dtype=np.uint8, requirements=["C_CONTIGUOUS", "WRITEABLE"])
    rgb = torch.from_numpy(host).to(mean.device, non_blocking=True)
    return rgb.permute(0, 3, 1, 2).flip(1).float() - mean


def to_pictures(x: torch.Tensor, mean: torch.Tensor) -> np.ndarray:
    """(N, 3, H, W) net-space float -> (N, H, W, 3) uint8 RGB on the host (rounded, where the original truncated)."""
    rgb = (x + mean).flip(1).permute(0, 2, 3, 1)
    return rgb.round().clamp(0, 255).to(torch.uint8).cpu().numpy()
