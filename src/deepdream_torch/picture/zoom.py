"""The camera move of a zoom animation (``Camera``, ``move``): zoom, rotate and pan a dreamed frame a little before
it is dreamed again. The animation's loop is the runner's (``runner/zoom.py``): its frames are a video's, so it
runs with the video package's frame files, encoder and stop, exactly as mode 0 does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.transform import zoom_rotate_pan


@dataclass(frozen=True)
class Camera:
    """The move between two frames: ``zoom`` (>1 zooms in), ``rotate`` degrees counter-clockwise, ``pan``
    (dx, dy) pixels right and down."""

    zoom: float = 1.05
    rotate: float = 0.0
    pan: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        # An infinite zoom samples one point for every pixel and a NaN blackens the frame: never meant.
        if not all(math.isfinite(value) for value in (self.zoom, self.rotate, *self.pan)):
            raise DreamError(
                f"the camera move needs finite numbers (got zoom {self.zoom}, rotate {self.rotate},"
                f" pan {self.pan})"
            )
        if not self.zoom > 0:
            raise DreamError(f"zoom must be greater than 0 (got {self.zoom}); 1.05 zooms in 5% per frame")

    @property
    def still(self) -> bool:
        return self.zoom == 1 and self.rotate == 0 and self.pan == (0.0, 0.0)


def move(picture: np.ndarray, camera: Camera, device: torch.device) -> np.ndarray:
    """``picture`` (H, W, 3 uint8 RGB) after one camera move, resampled on ``device``."""
    if camera.still:
        return picture
    host = np.require(picture, requirements=["C_CONTIGUOUS", "WRITEABLE"])  # what from_numpy takes
    x = torch.from_numpy(host).to(device).permute(2, 0, 1)[None].float()
    moved = zoom_rotate_pan(x, camera.zoom, camera.rotate, camera.pan)
    return moved[0].permute(1, 2, 0).round().clamp(0, 255).to(torch.uint8).cpu().numpy()
