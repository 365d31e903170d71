"""The zoom animation's move between two dreams: zoom, rotate and pan a picture batch with one affine resample.

A pure tensor function (``grid_sample`` on whatever device the batch is on), so the feedback loop never leaves
the GPU for its geometry. Zoom 1, no rotation and no pan returns the batch itself, bit for bit.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from deepdream_torch.dreaming.errors import DreamError


def zoom_rotate_pan(
    x: torch.Tensor, zoom: float = 1.0, rotate: float = 0.0, pan: tuple[float, float] = (0.0, 0.0)
) -> torch.Tensor:
    """The (N, C, H, W) float batch ``x`` seen through a camera that moved: ``zoom`` > 1 magnifies the centre,
    ``rotate`` turns the picture by that many degrees (counter-clockwise), ``pan`` (dx, dy) moves the view that
    many pixels right and down. Bilinear; pixels the move brings in from outside are mirrored from the edge."""
    if not zoom > 0:
        raise DreamError(f"zoom must be greater than 0 (got {zoom}); 1.05 zooms in 5% per frame")
    dx, dy = pan
    if zoom == 1 and rotate == 0 and dx == 0 and dy == 0:
        return x
    _, _, height, width = x.shape
    angle = math.radians(rotate)
    cos, sin = math.cos(angle) / zoom, math.sin(angle) / zoom
    # Output pixel u (from the centre, in pixels) samples the input at R(angle) u / zoom + pan; grid_sample works
    # in coordinates normalised by the half-size, so the pixel-space matrix is conjugated by diag(w/2, h/2).
    half_w, half_h = width / 2, height / 2
    theta = x.new_tensor(
        [
            [cos, -sin * half_h / half_w, dx / half_w],
            [sin * half_w / half_h, cos, dy / half_h],
        ]
    )
    grid = F.affine_grid(theta.expand(x.shape[0], 2, 3), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
