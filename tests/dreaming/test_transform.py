"""The zoom animation's camera move, checked against OpenCV's affine warp and by hand."""

import cv2
import numpy as np
import pytest
import torch

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.transform import zoom_rotate_pan


def as_batch(picture: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(picture).permute(2, 0, 1)[None].float()


def test_no_move_returns_the_batch_itself():
    x = torch.rand(2, 3, 5, 7)
    assert zoom_rotate_pan(x, 1.0, 0.0, (0.0, 0.0)) is x


def test_zoom_rotate_pan_agrees_with_opencv_warp_affine():
    rng = np.random.default_rng(0)
    # Smooth content, so that the two bilinear samplers' edge handling is the only difference and stays small.
    small = rng.integers(0, 256, (9, 12, 3), dtype=np.uint8)
    picture = cv2.resize(small, (96, 72), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    zoom, rotate, pan = 1.2, 10.0, (3.0, -2.0)
    ours = zoom_rotate_pan(as_batch(picture), zoom, rotate, pan)[0].permute(1, 2, 0).numpy()
    # OpenCV's matrix maps input to output: scale `zoom` and turn `rotate` degrees about the centre after moving
    # the centre by -pan; warpAffine's pixel centres sit at integers, ours at half-pixel offsets of the same grid.
    centre = ((96 - 1) / 2, (72 - 1) / 2)
    matrix = cv2.getRotationMatrix2D(centre, rotate, zoom)
    matrix[:, 2] -= matrix[:, :2] @ np.array(pan)
    theirs = cv2.warpAffine(picture, matrix, (96, 72), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    inner = (slice(12, -12), slice(12, -12))  # away from the edges, where the two fill outside pixels differently
    assert np.abs(ours[inner] - theirs[inner]).max() < 1.0


def test_a_quarter_turn_moves_the_right_edge_to_the_top():
    x = torch.zeros(1, 1, 9, 9)
    x[0, 0, 4, 8] = 1.0
    turned = zoom_rotate_pan(x, rotate=90.0)
    assert turned[0, 0].argmax().item() == 0 * 9 + 4


def test_zoom_must_be_positive():
    with pytest.raises(DreamError, match="greater than 0"):
        zoom_rotate_pan(torch.zeros(1, 3, 4, 4), zoom=0.0)
