"""The package root names dream and dream_batch."""

import numpy as np

import deepdream_torch
from deepdream_torch.dreaming.dream import dream as dream_function
from deepdream_torch.dreaming.dream import dream_batch as dream_batch_function


def test_root_names_dream_and_dream_batch_even_after_the_package_was_imported(tiny_net):
    # Importing any deepdream_torch.dreaming.* module rebinds deepdream_torch.dream to the package (done above).
    image = np.random.default_rng(0).integers(0, 256, (12, 12, 3), dtype=np.uint8)
    options = {"octaves": 1, "iterations": 1, "seed": 0, "device": "cpu"}
    expected = dream_function(image, tiny_net, "conv2", **options)
    np.testing.assert_array_equal(deepdream_torch.dream(image, tiny_net, "conv2", **options), expected)
    assert deepdream_torch.dream_batch is dream_batch_function
