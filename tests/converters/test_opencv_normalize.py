"""Normalize (SSD / ParseNet) against OpenCV for the combinations OpenCV reads, against the fork's formula in
numpy for the one it refuses (a norm over the whole sample with a scale per channel: OpenCV asserts one scale),
with the eps inside the square root as the fork has it."""

from __future__ import annotations

import numpy as np
import pytest

from tests.converters.opencv_reference import assert_matches_opencv, assert_matches_reference, header

CASES = {
    "per pixel, per channel scale (SSD)": "across_spatial: false channel_shared: false",
    "per pixel, shared scale": "across_spatial: false channel_shared: true",
    "whole sample, shared scale (defaults)": "",
}


def net(size, norm_param: str, channels: int = 6) -> str:
    return (
        header(channels, *size)
        + 'layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 6 '
        + "kernel_size: 3 pad: 1 } }\n"
        + f'layer {{ name: "n" type: "Normalize" bottom: "c" top: "n" norm_param {{ {norm_param} }} }}\n'
    )


@pytest.mark.parametrize("size", [(16, 16), (13, 17)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("norm_param", CASES.values(), ids=CASES.keys())
def test_normalize_matches_opencv(tmp_path, norm_param, size):
    assert_matches_opencv(tmp_path, net(size, norm_param), ["c", "n"], (1, 6, *size))


def test_a_whole_sample_norm_with_a_scale_per_channel_matches_the_forks_formula(tmp_path):
    prototxt = header(6, 13, 17) + (
        'layer { name: "n" type: "Normalize" bottom: "data" top: "n" '
        "norm_param { across_spatial: true channel_shared: false } }\n"
    )

    def caffe(x, weights):
        norm = np.sqrt((x * x).sum(axis=(1, 2, 3), keepdims=True) + 1e-10)
        return x / norm * weights["n"][0].reshape(1, -1, 1, 1)

    assert_matches_reference(tmp_path, prototxt, "n", (1, 6, 13, 17), caffe)


def test_eps_sits_inside_the_square_root(tmp_path):
    # A zero input would divide by zero without eps; with eps = 4 the norm is sqrt(sum x² + 4).
    prototxt = header(3, 5, 7) + (
        'layer { name: "n" type: "Normalize" bottom: "data" top: "n" '
        "norm_param { across_spatial: false channel_shared: true eps: 4 } }\n"
    )

    def caffe(x, weights):
        return x / np.sqrt((x * x).sum(axis=1, keepdims=True) + 4.0) * weights["n"][0]

    assert_matches_reference(tmp_path, prototxt, "n", (1, 3, 5, 7), caffe)
