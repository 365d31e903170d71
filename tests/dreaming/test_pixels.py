"""Pictures in and out of the net's space: BGR minus mean, round trips, clamping, files as RGB."""

import numpy as np
import pytest
import torch
from PIL import Image

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.pixels import as_rgb_array, mean_tensor, to_net, to_pictures

MEAN = (104.0, 117.0, 123.0)


def test_to_net_is_bgr_minus_mean_channel_first():
    picture = np.zeros((1, 2, 3, 3), dtype=np.uint8)
    picture[0, 1, 2] = (10, 20, 30)  # R, G, B at row 1, column 2
    x = to_net(picture, mean_tensor(MEAN, torch.device("cpu")))
    assert x.shape == (1, 3, 2, 3) and x.dtype == torch.float32
    assert x[0, :, 1, 2].tolist() == [30 - 104, 20 - 117, 10 - 123]
    assert x[0, :, 0, 0].tolist() == [-104, -117, -123]


def test_round_trip_gives_the_picture_back():
    picture = np.random.default_rng(1).integers(0, 256, size=(2, 5, 7, 3), dtype=np.uint8)
    mean = mean_tensor(MEAN, torch.device("cpu"))
    np.testing.assert_array_equal(to_pictures(to_net(picture, mean), mean), picture)


def test_out_of_range_values_are_clamped_to_pixels():
    mean = mean_tensor(MEAN, torch.device("cpu"))
    x = torch.full((1, 3, 1, 1), 1000.0)
    x[0, 1] = -1000.0
    assert to_pictures(x, mean)[0, 0, 0].tolist() == [255, 0, 255]


def test_a_grey_or_alpha_picture_file_is_read_as_rgb(tmp_path):
    path = tmp_path / "grey.png"
    Image.new("LA", (4, 3), (200, 128)).save(path)
    picture = as_rgb_array(path)
    assert picture.shape == (3, 4, 3) and picture.dtype == np.uint8
    assert picture[0, 0].tolist() == [200, 200, 200]


def test_an_unreadable_picture_says_which_file(tmp_path):
    path = tmp_path / "not_a_picture.jpg"
    path.write_text("hello")
    with pytest.raises(DreamError, match="cannot read picture .*not_a_picture.jpg"):
        as_rgb_array(path)
    with pytest.raises(DreamError, match="cannot read picture .*missing.png"):
        as_rgb_array(tmp_path / "missing.png")


@pytest.mark.parametrize(
    "bad",
    [np.zeros((4, 4, 3), dtype=np.float32), np.zeros((4, 4), dtype=np.uint8), np.zeros((0, 4, 3), np.uint8)],
)
def test_arrays_that_are_not_rgb_pictures_are_refused(bad):
    with pytest.raises(DreamError):
        as_rgb_array(bad)
