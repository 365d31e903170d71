"""Convolution and Deconvolution against OpenCV, and against Caffe's col2im arithmetic where OpenCV falls short."""

from __future__ import annotations

import numpy as np
import pytest

from tests.converters.opencv_reference import assert_matches_opencv, assert_matches_reference, header

# A square size, then odd sizes that leave remainders under every stride used here (47x83 is 187x333 / 4).
SIZES = [(16, 16), (13, 17), (47, 83)]

CONVOLUTIONS = {
    "3x3 pad 1": "num_output: 6 kernel_size: 3 pad: 1",
    "7x7 stride 2 pad 3": "num_output: 8 kernel_size: 7 stride: 2 pad: 3",
    "1x1": "num_output: 3 kernel_size: 1",
    "group 2 dilation 2": "num_output: 6 kernel_size: 3 pad: 2 dilation: 2 group: 2",
    "depthwise stride 2": "num_output: 8 kernel_size: 3 stride: 2 group: 4",
    "rectangular, no bias": (
        "num_output: 5 kernel_h: 3 kernel_w: 5 pad_h: 1 pad_w: 2 stride_h: 2 stride_w: 3 bias_term: false"
    ),
    "per-axis repeated fields": (
        "num_output: 6 kernel_size: 3 kernel_size: 5 pad: 0 pad: 2 stride: 1 stride: 2 dilation: 2 dilation: 1"
    ),
}

DECONVOLUTIONS = {
    "stride 2 pad 1 group 2": "num_output: 6 kernel_size: 4 stride: 2 pad: 1 group: 2",
    "stride 2, no bias": "num_output: 3 kernel_size: 3 stride: 2 bias_term: false",
    "FCN upsampling (group = channels)": "num_output: 4 kernel_size: 4 stride: 2 group: 4 bias_term: false",
    "rectangular": "num_output: 4 kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 3 pad_h: 1 pad_w: 0",
}


def layer(type_name: str, params: str) -> str:
    return f'layer {{ name: "l" type: "{type_name}" bottom: "data" top: "l" convolution_param {{ {params} }} }}\n'


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("params", CONVOLUTIONS.values(), ids=CONVOLUTIONS.keys())
def test_convolution_matches_opencv(tmp_path, params, size):
    assert_matches_opencv(tmp_path, header(4, *size) + layer("Convolution", params), ["l"], (1, 4, *size))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("params", DECONVOLUTIONS.values(), ids=DECONVOLUTIONS.keys())
def test_deconvolution_matches_opencv(tmp_path, params, size):
    assert_matches_opencv(tmp_path, header(4, *size) + layer("Deconvolution", params), ["l"], (1, 4, *size))


def caffe_deconvolution(x, weight, bias, stride, pad, dilation, group):
    """Caffe's Deconvolution as its col2im does it: input pixel (i, j) adds weight[c, o, p, q] * x at output
    (i * stride - pad + p * dilation, j * stride - pad + q * dilation); the output is stride * (in - 1) +
    dilation * (kernel - 1) + 1 - 2 * pad long."""
    n, channels, height, width = x.shape
    _, outputs_per_group, kh, kw = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    full_h, full_w = sh * (height - 1) + dh * (kh - 1) + 1, sw * (width - 1) + dw * (kw - 1) + 1
    out = np.zeros((n, outputs_per_group * group, full_h, full_w))
    inputs_per_group = channels // group
    for g in range(group):
        ins = slice(g * inputs_per_group, (g + 1) * inputs_per_group)
        outs = slice(g * outputs_per_group, (g + 1) * outputs_per_group)
        for p in range(kh):
            for q in range(kw):
                contribution = np.einsum("nchw,co->nohw", x[:, ins], weight[ins, :, p, q])
                out[
                    :,
                    outs,
                    p * dh : p * dh + sh * (height - 1) + 1 : sh,
                    q * dw : q * dw + sw * (width - 1) + 1 : sw,
                ] += contribution
    out = out[:, :, ph : full_h - ph, pw : full_w - pw]
    return out if bias is None else out + bias[None, :, None, None]


# OpenCV's Deconvolution ignores `dilation` (it makes a 13x17 output from 7x9 with kernel 3, stride 2, pad 1,
# dilation 2, where Caffe makes 15x19), so dilated deconvolutions are checked against Caffe's arithmetic.
DILATED_DECONVOLUTIONS = {
    "dilation 2": ((2, 2), (1, 1), (2, 2), 1, "num_output: 6 kernel_size: 3 stride: 2 pad: 1 dilation: 2"),
    "dilation 1x3 group 2": (
        (2, 1),
        (0, 2),
        (1, 3),
        2,
        "num_output: 4 kernel_size: 3 stride: 2 stride: 1 pad: 0 pad: 2 dilation: 1 dilation: 3 group: 2",
    ),
}


@pytest.mark.parametrize("size", [(7, 9), (13, 17)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", DILATED_DECONVOLUTIONS.values(), ids=DILATED_DECONVOLUTIONS.keys())
def test_dilated_deconvolution_matches_caffe_arithmetic(tmp_path, case, size):
    stride, pad, dilation, group, params = case

    def reference(x, blobs):
        weight, bias = blobs["l"]
        return caffe_deconvolution(x, weight, bias, stride, pad, dilation, group)

    ours = assert_matches_reference(
        tmp_path, header(4, *size) + layer("Deconvolution", params), "l", (1, 4, *size), reference
    )
    expected_h = stride[0] * (size[0] - 1) + dilation[0] * 2 + 1 - 2 * pad[0]
    expected_w = stride[1] * (size[1] - 1) + dilation[1] * 2 + 1 - 2 * pad[1]
    assert ours["l"].shape[2:] == (expected_h, expected_w)


def caffe_convolution(x, weight, bias, stride, pad, dilation, group):
    """Caffe's im2col convolution, one kernel tap at a time: output (i, j) sums weight[o, c, p, q] *
    x[c, i * stride - pad + p * dilation, j * stride - pad + q * dilation] over the group's channels, zero outside."""
    n, _, height, width = x.shape
    outputs, inputs_per_group, kh, kw = weight.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    out_h = (height + 2 * ph - (dh * (kh - 1) + 1)) // sh + 1
    out_w = (width + 2 * pw - (dw * (kw - 1) + 1)) // sw + 1
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((n, outputs, out_h, out_w))
    outputs_per_group = outputs // group
    for g in range(group):
        ins = slice(g * inputs_per_group, (g + 1) * inputs_per_group)
        outs = slice(g * outputs_per_group, (g + 1) * outputs_per_group)
        for p in range(kh):
            for q in range(kw):
                seen = padded[
                    :,
                    ins,
                    p * dh : p * dh + sh * (out_h - 1) + 1 : sh,
                    q * dw : q * dw + sw * (out_w - 1) + 1 : sw,
                ]
                out[:, outs] += np.einsum("nchw,oc->nohw", seen, weight[outs, :, p, q])
    return out if bias is None else out + bias[None, :, None, None]


# Caffe reads pad_h and pad_w as soon as either is set, the other keeping its default 0; OpenCV 4.14 ignores
# pad_h unless pad_w is written too (a 3x1 kernel with pad_h 1 gives it 14 rows from 16), so Caffe's arithmetic
# referees. The last case, where both are written, checks the numpy convolution against OpenCV as well.
ONE_SIDED_PADS = {
    "pad_h only": ((1, 1), (1, 0), (1, 1), 1, "num_output: 4 kernel_h: 3 kernel_w: 1 pad_h: 1"),
    "pad_w only, stride 2, group 2": (
        (2, 2),
        (0, 2),
        (1, 1),
        2,
        "num_output: 4 kernel_h: 1 kernel_w: 5 pad_w: 2 stride: 2 group: 2",
    ),
    "both pads (OpenCV agrees here)": (
        (1, 1),
        (1, 2),
        (1, 2),
        1,
        "num_output: 3 kernel_size: 3 pad_h: 1 pad_w: 2 dilation: 1 dilation: 2",
    ),
}


@pytest.mark.parametrize("size", [(16, 16), (13, 17)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", ONE_SIDED_PADS.values(), ids=ONE_SIDED_PADS.keys())
def test_one_sided_pad_matches_caffe_arithmetic(tmp_path, case, size):
    stride, pad, dilation, group, params = case

    def reference(x, blobs):
        weight, bias = blobs["l"]
        return caffe_convolution(x, weight, bias, stride, pad, dilation, group)

    prototxt = header(4, *size) + layer("Convolution", params)
    ours = assert_matches_reference(tmp_path, prototxt, "l", (1, 4, *size), reference)
    if pad[0] and pad[1]:
        assert_matches_opencv(tmp_path, prototxt, ["l"], (1, 4, *size))
    kernel_h = 3 if "kernel_size: 3" in params or "kernel_h: 3" in params else 1
    assert ours["l"].shape[2] == (size[0] + 2 * pad[0] - kernel_h) // stride[0] + 1
