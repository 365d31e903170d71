"""The real GoogLeNet prototxt (random weights): the smallest pictures its layers take, and a tiny dream."""

import numpy as np
import pytest

from deepdream_torch import dream_batch
from deepdream_torch.dreaming.min_size import min_side
from deepdream_torch.dreaming.settings import DreamSettings, Runtime


@pytest.mark.parametrize(
    "layer, side",
    [
        # By hand, with Caffe's sizes: conv1 (7x7/2, pad 3) gives floor((s-1)/2)+1, each 3x3/2 pooling gives
        # ceil((n-3)/2)+1 and needs n >= 2 to give one cell; the convolutions in between keep the size.
        ("conv2/3x3", 3),  # pool1 needs 2 cells from conv1
        ("inception_4c/output", 15),  # pool3 needs 2 <- pool2 4 <- pool1 8 <- conv1 15
        ("inception_5b/output", 31),  # pool4 needs 2 <- pool3 4 <- pool2 8 <- pool1 16 <- conv1 31
    ],
)
def test_smallest_side_per_layer(googlenet, layer, side):
    assert min_side(googlenet, layer) == side


def test_a_small_picture_dreams_on_every_layer_it_can_reach(googlenet):
    pictures = np.random.default_rng(0).integers(0, 256, size=(2, 40, 56, 3), dtype=np.uint8)
    messages = []
    dreamed = dream_batch(
        pictures,
        googlenet,
        ["inception_4c/output", "inception_5b/output"],
        DreamSettings(iterations=2),
        Runtime(device="cpu", precision="fp32", log=lambda level, text: messages.append(text)),
        seed=0,
    )
    # Octaves 40x56, 29x40, 20x29, 15x20: all reach inception_4c (15), only the first reaches inception_5b (31).
    assert messages == [
        "l2(inception_5b/output): 1 of 4 octaves (smaller ones are under the 31x31 pixels the net needs)"
    ]
    assert dreamed.shape == pictures.shape
    assert all(np.abs(dreamed[i].astype(int) - pictures[i]).mean() > 1 for i in range(2))
