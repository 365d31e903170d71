"""Bias (which OpenCV does not read) against Caffe's BiasLayer in numpy: a learned blob or a second bottom added
over the first bottom's axes from ``axis`` on."""

from __future__ import annotations

import numpy as np
import pytest

from tests.converters.opencv_reference import assert_matches_reference, header

CASES = {  # bias_param → the learned blob's shape for a (1, 4, 5, 6) bottom, and its reshape for broadcasting
    "per channel (defaults)": ("", (4,), (1, 4, 1, 1)),
    "channel and rows": ("bias_param { num_axes: 2 }", (4, 5), (1, 4, 5, 1)),
    "all from axis 2": ("bias_param { axis: 2 num_axes: -1 }", (5, 6), (1, 1, 5, 6)),
    "a scalar": ("bias_param { num_axes: 0 }", (), ()),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_learned_bias_matches_caffes_formula(tmp_path, case):
    param, shape, view = case
    prototxt = header(4, 5, 6) + f'layer {{ name: "b" type: "Bias" bottom: "data" top: "b" {param} }}\n'
    blob = np.random.default_rng(1).normal(0, 10, shape).astype(np.float32)

    def caffe(x, weights):
        assert weights["b"][0].shape == shape
        return x + weights["b"][0].reshape(view)

    assert_matches_reference(tmp_path, prototxt, "b", (1, 4, 5, 6), caffe, blobs={"b": ("Bias", [blob])})


def test_a_second_bottom_is_the_bias(tmp_path):
    prototxt = header(4, 5, 6) + (
        'layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { pool: AVE global_pooling: true } }\n'
        'layer { name: "f" type: "Flatten" bottom: "p" top: "f" }\n'
        # The second bottom (1, 4) lines up with the first's axes 0 and 1.
        'layer { name: "b" type: "Bias" bottom: "data" bottom: "f" top: "b" bias_param { axis: 0 } }\n'
    )

    def caffe(x, weights):
        return x + x.mean(axis=(2, 3)).reshape(1, 4, 1, 1)

    assert_matches_reference(tmp_path, prototxt, "b", (1, 4, 5, 6), caffe)
