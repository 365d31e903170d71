"""Pooling (MAX, AVE, global) against OpenCV and against a transcription of Caffe's pooling loops.

Caffe's pooling has three quirks a converter must reproduce: the output size rounds up (CEIL), a last window that
would start in the padding is dropped, and the AVE divisor counts padded cells inside [-pad, size + pad) but not the
cells rounding up adds past that. The odd sizes below make each of them bite.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.converters.opencv_reference import assert_matches_opencv, assert_matches_reference, header

SIZES = [(16, 16), (13, 17), (47, 83)]

POOLINGS = {
    "max 3x3 s2": "pool: MAX kernel_size: 3 stride: 2",
    "ave 3x3 s2": "pool: AVE kernel_size: 3 stride: 2",
    "max 3x3 s2 pad 1": "pool: MAX kernel_size: 3 stride: 2 pad: 1",
    "ave 3x3 s2 pad 1": "pool: AVE kernel_size: 3 stride: 2 pad: 1",
    "max 3x3 s1 pad 1": "pool: MAX kernel_size: 3 stride: 1 pad: 1",
    "ave 3x3 s1 pad 1": "pool: AVE kernel_size: 3 stride: 1 pad: 1",
    "max 2x2 s2 pad 1": "pool: MAX kernel_size: 2 stride: 2 pad: 1",
    "ave 2x2 s2 pad 1": "pool: AVE kernel_size: 2 stride: 2 pad: 1",
    "ave 5x5 s3": "pool: AVE kernel_size: 5 stride: 3",
    # Pads above half the kernel (Caffe only demands pad < kernel): windows made mostly of padding.
    "max 3x3 s2 pad 2": "pool: MAX kernel_size: 3 stride: 2 pad: 2",
    "ave 3x3 s2 pad 2": "pool: AVE kernel_size: 3 stride: 2 pad: 2",
    "ave 4x4 s3 pad 3": "pool: AVE kernel_size: 4 stride: 3 pad: 3",
    "max 5x5 s2 pad 4": "pool: MAX kernel_size: 5 stride: 2 pad: 4",
    "ave 2x2 s3 pad 1 (stride > kernel)": "pool: AVE kernel_size: 2 stride: 3 pad: 1",
    "ave rectangular": "pool: AVE kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 3 pad_h: 1 pad_w: 1",
    "max rectangular pad_w > kernel_w/2": "pool: MAX kernel_h: 2 kernel_w: 4 stride_h: 1 stride_w: 3 pad_h: 1 pad_w: 3",
    "ave rectangular pad_h > kernel_h/2": "pool: AVE kernel_h: 3 kernel_w: 3 stride_h: 2 stride_w: 2 pad_h: 2 pad_w: 0",
    "global ave": "pool: AVE global_pooling: true",
    "global max": "pool: MAX global_pooling: true",
}

# Caffe reads pad_h and pad_w as soon as either is written (the other staying 0); OpenCV 4.14 ignores a lone
# pad_h (8 rows from 16 where Caffe makes 9), so these are refereed by the transcription of Caffe's loops only.
CAFFE_ONLY = {
    "ave pad_h only": "pool: AVE kernel_size: 3 stride: 2 pad_h: 1",
    "max pad_w only": "pool: MAX kernel_size: 3 stride: 2 pad_w: 2",
}


def pooling(params: str, name: str = "l", bottom: str = "data") -> str:
    return f'layer {{ name: "{name}" type: "Pooling" bottom: "{bottom}" top: "{name}" pooling_param {{ {params} }} }}\n'


def caffe_pooling(x, kernel, stride, pad, average, ceil=True):
    """Caffe's PoolingLayer::Reshape and Forward_cpu (MAX and AVE), loop for loop."""
    _, _, height, width = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, pad
    rounding = math.ceil if ceil else math.floor
    out_h = int(rounding((height + 2 * ph - kh) / sh)) + 1
    out_w = int(rounding((width + 2 * pw - kw) / sw)) + 1
    if ph or pw:  # either pad: both axes drop a last window starting in the padding
        if (out_h - 1) * sh >= height + ph:
            out_h -= 1
        if (out_w - 1) * sw >= width + pw:
            out_w -= 1
    y = np.empty(x.shape[:2] + (out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            hs, ws = i * sh - ph, j * sw - pw
            if average:
                he, we = min(hs + kh, height + ph), min(ws + kw, width + pw)
                divisor = (he - hs) * (we - ws)
                window = x[:, :, max(hs, 0) : min(he, height), max(ws, 0) : min(we, width)]
                y[:, :, i, j] = window.sum(axis=(2, 3)) / divisor
            else:
                window = x[:, :, max(hs, 0) : min(hs + kh, height), max(ws, 0) : min(ws + kw, width)]
                y[:, :, i, j] = window.max(axis=(2, 3))
    return y


def geometry(params: str, height: int, width: int):
    """(kernel, stride, pad, average) read from a pooling_param string, as Caffe reads them."""
    tokens = params.split()
    fields = {key.rstrip(":"): value for key, value in zip(tokens[::2], tokens[1::2])}
    average = fields["pool"] == "AVE"
    if fields.get("global_pooling") == "true":
        return (height, width), (1, 1), (0, 0), average

    def pair(name: str, default: int) -> tuple[int, int]:
        both = fields.get(name, fields.get(f"{name}_size", default))
        return int(fields.get(f"{name}_h", both)), int(fields.get(f"{name}_w", both))

    return pair("kernel", 0), pair("stride", 1), pair("pad", 0), average


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("params", POOLINGS.values(), ids=POOLINGS.keys())
def test_pooling_matches_opencv(tmp_path, params, size):
    assert_matches_opencv(tmp_path, header(3, *size) + pooling(params), ["l"], (1, 3, *size))


@pytest.mark.parametrize("params", [*POOLINGS.values(), *CAFFE_ONLY.values()], ids=[*POOLINGS, *CAFFE_ONLY])
def test_pooling_matches_caffe_loops(tmp_path, params):
    size = (13, 17)
    kernel, stride, pad, average = geometry(params, *size)
    assert_matches_reference(
        tmp_path,
        header(3, *size) + pooling(params),
        "l",
        (1, 3, *size),
        lambda x, blobs: caffe_pooling(x, kernel, stride, pad, average),
    )


@pytest.mark.parametrize(
    "params", ["pool: MAX kernel_size: 3 stride: 2", "pool: AVE kernel_size: 3 stride: 2 pad: 1"]
)
def test_pooling_at_a_real_picture_size(tmp_path, params):
    # 187x333: the size the original DeepDream's default octaves reach, with a 3x3/2 pool left over on both axes.
    assert_matches_opencv(tmp_path, header(1, 187, 333) + pooling(params), ["l"], (1, 1, 187, 333))


def test_last_window_starting_in_the_padding_is_dropped(tmp_path):
    # 13 + 2*1 - 2 = 13 rounds up to 7 strides: 8 windows, the last starting at 7*2 - 1 = 13, in the padding.
    # Caffe drops it: 7x9 for 13x17, where plain ceil rounding would give 8x10.
    ours = assert_matches_opencv(
        tmp_path,
        header(2, 13, 17) + pooling("pool: AVE kernel_size: 2 stride: 2 pad: 1"),
        ["l"],
        (1, 2, 13, 17),
    )
    assert ours["l"].shape == (1, 2, 7, 9)


def test_average_divisor_counts_padding_but_not_the_rounded_up_cells(tmp_path):
    # 3x3/2 pad 1 on 4x4: windows start at rows -1, 1, 3. The last covers row 3 (image), row 4 (padding, inside
    # [-1, 5)) and row 5 (added by rounding up): Caffe divides by 2 rows, so the corner output is x[3, 3] / 4.
    seen = []

    def reference(x, blobs):
        seen.append(x)
        return caffe_pooling(x, (3, 3), (2, 2), (1, 1), average=True)

    prototxt = header(1, 4, 4) + pooling("pool: AVE kernel_size: 3 stride: 2 pad: 1")
    ours = assert_matches_reference(tmp_path, prototxt, "l", (1, 1, 4, 4), reference)
    assert ours["l"].shape == (1, 1, 3, 3)
    assert ours["l"][0, 0, 2, 2] == pytest.approx(seen[0][0, 0, 3, 3] / 4, rel=1e-6)
    assert ours["l"][0, 0, 0, 0] == pytest.approx(seen[0][0, 0, :2, :2].sum() / 9, rel=1e-6)


@pytest.mark.parametrize("size", [(13, 17), (16, 16)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "params",
    [
        "pool: MAX kernel_size: 3 stride: 2 round_mode: FLOOR",
        "pool: AVE kernel_size: 3 stride: 2 pad: 1 round_mode: FLOOR",
    ],
)
def test_floor_rounding_matches_caffe_loops(tmp_path, params, size):
    # OpenCV 4.14's Caffe importer cannot read `round_mode` (it fails with "kernel[i] > 0"): checked by hand.
    kernel, stride, pad, average = geometry(params.replace(" round_mode: FLOOR", ""), *size)
    ours = assert_matches_reference(
        tmp_path,
        header(2, *size) + pooling(params),
        "l",
        (1, 2, *size),
        lambda x, blobs: caffe_pooling(x, kernel, stride, pad, average, ceil=False),
    )
    assert ours["l"].shape[2:] == ((size[0] + 2 * pad[0] - 3) // 2 + 1, (size[1] + 2 * pad[1] - 3) // 2 + 1)


def test_either_pad_clips_both_axes_like_caffe(tmp_path):
    # Width 5, kernel_w 1, stride_w 3, pad_w 0: 3 windows by ceil rounding, the third starting at 6, past the image.
    # pad_h is 1, so Caffe drops it: 3x2 for a 5x5 input (OpenCV, which clips per axis too, cannot referee this).
    params = "pool: MAX kernel_h: 3 kernel_w: 1 stride_h: 2 stride_w: 3 pad_h: 1 pad_w: 0"
    assert_matches_reference(
        tmp_path,
        header(1, 5, 5) + pooling(params),
        "l",
        (1, 1, 5, 5),
        lambda x, blobs: caffe_pooling(x, (3, 1), (2, 3), (1, 0), average=False),
    )


def test_pooling_chain_like_googlenet_at_odd_sizes(tmp_path):
    # conv -> max 3x3/2 -> ave 3x3/1 pad 1 -> max 3x3/2 pad 1: ceil-rounded sizes feeding further ceil rounding, on
    # a batch of two declared by an Input layer.
    prototxt = (
        'layer { name: "input" type: "Input" top: "data" input_param { shape { dim: 2 dim: 3 dim: 37 dim: 51 } } }\n'
        + 'layer { name: "c" type: "Convolution" bottom: "data" top: "c" '
        + "convolution_param { num_output: 4 kernel_size: 7 stride: 2 pad: 3 } }\n"
        + pooling("pool: MAX kernel_size: 3 stride: 2", "p1", "c")
        + pooling("pool: AVE kernel_size: 3 stride: 1 pad: 1", "p2", "p1")
        + pooling("pool: MAX kernel_size: 3 stride: 2 pad: 1", "p3", "p2")
    )
    ours = assert_matches_opencv(tmp_path, prototxt, ["c", "p1", "p2", "p3"], (2, 3, 37, 51))
    assert [ours[n].shape[2:] for n in ("c", "p1", "p2", "p3")] == [(19, 26), (9, 13), (9, 13), (5, 7)]
