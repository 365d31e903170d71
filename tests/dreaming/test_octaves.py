"""Octaves: the original's chain of sizes, resizing as scipy's zoom does, octaves too small."""

import numpy as np
import pytest
import torch
from scipy import ndimage

from deepdream_torch.dreaming.octaves import octave_sizes, resize, usable_octaves


def test_octave_sizes_follow_the_originals_chain_of_zooms():
    # The original built each octave with scipy.ndimage.zoom(previous, 1/scale): its output shapes are the check.
    shapes = [(540, 960)]
    picture = np.zeros(shapes[0], dtype=np.float32)
    for _ in range(3):
        picture = ndimage.zoom(picture, 1 / 1.4, order=1)
        shapes.append(picture.shape)
    assert octave_sizes(540, 960, 4, 1.4) == shapes == [(540, 960), (386, 686), (276, 490), (197, 350)]


def test_one_octave_is_the_picture_itself():
    assert octave_sizes(31, 17, 1, 2.0) == [(31, 17)]


@pytest.mark.parametrize("source, target", [((37, 53), (26, 38)), ((26, 38), (37, 53))])
def test_resize_matches_scipy_zoom_order_1(source, target):
    picture = np.random.default_rng(0).normal(size=(3, *source)).astype(np.float32)
    zoom = (1, target[0] / source[0], target[1] / source[1])
    expected = ndimage.zoom(picture, zoom, order=1)
    assert expected.shape[1:] == target
    ours = resize(torch.from_numpy(picture)[None], target)[0].numpy()
    np.testing.assert_allclose(ours, expected, atol=1e-4)


def test_usable_octaves_stops_below_the_smallest_side():
    sizes = [(100, 200), (50, 100), (25, 50), (12, 25)]
    assert usable_octaves(sizes, 25) == 3
    assert usable_octaves(sizes, 101) == 0
    assert usable_octaves(sizes, 1) == 4
