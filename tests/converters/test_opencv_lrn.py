"""LRN across and within channels, against OpenCV and against Caffe's formulas.

OpenCV's LRN reads its additive constant from a parameter called `bias` and never looks at Caffe's `k`, so it
always adds 1: OpenCV referees only k = 1, and a numpy transcription of Caffe's LRNLayer checks k != 1.
"""

from __future__ import annotations

import numpy as np
import pytest

from deepdream_torch import load_caffe
from deepdream_torch.caffe.errors import CaffeFormatError
from tests.converters.opencv_reference import assert_matches_opencv, assert_matches_reference, header

SIZES = [(16, 16), (13, 17)]


def lrn(params: str) -> str:
    return f'layer {{ name: "l" type: "LRN" bottom: "data" top: "l" lrn_param {{ {params} }} }}\n'


def caffe_lrn_across(x, size, alpha, beta, k):
    """CrossChannelForward_cpu: scale = k + alpha / size * (sum of squares over channels [c - (size-1)/2, ... +
    size)), zero beyond the ends; top = bottom * scale ** -beta."""
    channels = x.shape[1]
    before = (size - 1) // 2
    out = np.empty_like(x)
    for c in range(channels):
        lo, hi = max(0, c - before), min(channels, c - before + size)
        squares = (x[:, lo:hi] ** 2).sum(axis=1)
        out[:, c] = x[:, c] * (k + alpha / size * squares) ** -beta
    return out


def caffe_lrn_within(x, size, alpha, beta):
    """WithinChannelForward: AVE pooling of the squares (size x size, stride 1, pad (size-1)/2, padded cells in
    the divisor: always size**2 here), then a Power layer with shift 1, scale alpha, power -beta. No k anywhere."""
    pad = (size - 1) // 2
    height, width = x.shape[2:]
    padded = np.pad(x**2, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    sums = np.zeros_like(x)
    for p in range(size):
        for q in range(size):
            sums += padded[:, :, p : p + height, q : q + width]
    return x * (1 + alpha * sums / size**2) ** -beta


ACROSS = {
    "size 5 (AlexNet, GoogLeNet)": "local_size: 5 alpha: 0.0001 beta: 0.75",
    "size 3, alpha and beta set": "local_size: 3 alpha: 0.002 beta: 0.6",
    "size 7, k 1 written out": "local_size: 7 alpha: 0.003 beta: 0.9 k: 1",
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("params", ACROSS.values(), ids=ACROSS.keys())
def test_across_channels_matches_opencv(tmp_path, params, size):
    assert_matches_opencv(tmp_path, header(8, *size) + lrn(params), ["l"], (1, 8, *size))


@pytest.mark.parametrize(
    "local_size, alpha, beta, k", [(5, 0.001, 0.75, 2.0), (3, 0.01, 0.5, 0.5), (1, 0.02, 1.2, 3.0)]
)
def test_across_channels_k_matches_caffe_formula(tmp_path, local_size, alpha, beta, k):
    params = f"local_size: {local_size} alpha: {alpha} beta: {beta} k: {k}"
    assert_matches_reference(
        tmp_path,
        header(6, 7, 9) + lrn(params),
        "l",
        (1, 6, 7, 9),
        lambda x, blobs: caffe_lrn_across(x, local_size, alpha, beta, k),
    )


WITHIN = {
    "size 3": "local_size: 3 alpha: 0.01 beta: 0.75 norm_region: WITHIN_CHANNEL",
    "size 5, beta 0.6": "local_size: 5 alpha: 0.02 beta: 0.6 norm_region: WITHIN_CHANNEL",
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("params", WITHIN.values(), ids=WITHIN.keys())
def test_within_channel_matches_opencv(tmp_path, params, size):
    assert_matches_opencv(tmp_path, header(3, *size) + lrn(params), ["l"], (1, 3, *size))


@pytest.mark.parametrize("k", [1.0, 3.0])
def test_within_channel_ignores_k_like_caffe(tmp_path, k):
    # Caffe's WITHIN_CHANNEL path is a Power layer with shift 1: `k` never enters. (OpenCV agrees for any k, but
    # only because it ignores `k` in both modes, so the formula referees this one.)
    params = f"local_size: 5 alpha: 0.02 beta: 0.6 k: {k} norm_region: WITHIN_CHANNEL"
    assert_matches_reference(
        tmp_path,
        header(3, 13, 17) + lrn(params),
        "l",
        (1, 3, 13, 17),
        lambda x, blobs: caffe_lrn_within(x, 5, 0.02, 0.6),
    )


@pytest.mark.parametrize("region", ["ACROSS_CHANNELS", "WITHIN_CHANNEL"])
def test_even_local_size_is_refused_like_caffe(tmp_path, region):
    deploy = tmp_path / "deploy.prototxt"
    deploy.write_text(header(6, 7, 9) + lrn(f"local_size: 4 norm_region: {region}"))
    with pytest.raises(CaffeFormatError, match="odd"):
        load_caffe(deploy)
