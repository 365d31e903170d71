"""BatchNorm (stored statistics divided by Caffe's scale factor) and Scale, against OpenCV and Caffe's formulas."""

from __future__ import annotations

import numpy as np
import pytest

from deepdream_torch import load_caffe
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.net.random_weights import write_random_caffemodel
from tests.converters.opencv_reference import assert_matches_opencv, assert_matches_reference, header

SIZES = [(16, 16), (13, 17)]
CONV = (
    'layer { name: "c" type: "Convolution" bottom: "data" top: "c" '
    "convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }\n"
)


def layer(name: str, type_name: str, bottoms: str, params: str = "") -> str:
    bottom = " ".join(f'bottom: "{b}"' for b in bottoms.split())
    return f'layer {{ name: "{name}" type: "{type_name}" {bottom} top: "{name}" {params} }}\n'


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("eps", [None, 0.01])
def test_batch_norm_then_scale_matches_opencv(tmp_path, eps, size):
    # The random weights store a scale factor in [0.5, 2], so dividing the sums by it (or not) shows.
    bn_params = "" if eps is None else f"batch_norm_param {{ eps: {eps} }}"
    prototxt = (
        header(3, *size)
        + CONV
        + layer("bn", "BatchNorm", "c", bn_params)
        + layer("sc", "Scale", "bn", "scale_param { bias_term: true }")
    )
    assert_matches_opencv(tmp_path, prototxt, ["bn", "sc"], (1, 3, *size))


@pytest.mark.parametrize("factor", [0.0, 1.0, 3.5])
def test_batch_norm_scale_factor_matches_opencv(tmp_path, factor):
    # Factor 0 means "no statistics accumulated": Caffe uses zero mean and variance, not a division by zero.
    mean, variance = np.array([1.0, -2.0, 0.5]), np.array([4.0, 0.25, 9.0])
    blobs = {"bn": ("BatchNorm", [mean * max(factor, 1), variance * max(factor, 1), np.array([factor])])}
    ours = assert_matches_opencv(
        tmp_path, header(3, 5, 7) + layer("bn", "BatchNorm", "data"), ["bn"], (1, 3, 5, 7), blobs=blobs
    )
    assert np.isfinite(ours["bn"]).all()


def test_batch_norm_with_batch_statistics_matches_opencv(tmp_path):
    prototxt = (
        header(3, 13, 17)
        + CONV
        + layer("bn", "BatchNorm", "c", "batch_norm_param { use_global_stats: false }")
    )
    assert_matches_opencv(tmp_path, prototxt, ["bn"], (1, 3, 13, 17))


def test_batch_norm_with_batch_statistics_over_two_items_matches_caffe_formula(tmp_path):
    # OpenCV refuses training-mode BatchNorm for a batch above 1. Caffe normalises each channel by the mean and the
    # biased variance over batch, height and width.
    prototxt = header(3, 7, 9, n=2) + layer(
        "bn", "BatchNorm", "data", "batch_norm_param { use_global_stats: false eps: 0.001 }"
    )

    def reference(x, blobs):
        mean = x.mean(axis=(0, 2, 3), keepdims=True)
        variance = ((x - mean) ** 2).mean(axis=(0, 2, 3), keepdims=True)
        return (x - mean) / np.sqrt(variance + 0.001)

    assert_matches_reference(tmp_path, prototxt, "bn", (2, 3, 7, 9), reference)


SCALES = {
    "bias": "scale_param { bias_term: true }",
    "no bias": "",
    "axis 2, one axis": "scale_param { axis: 2 num_axes: 1 bias_term: true }",
    "axis 1, two axes": "scale_param { axis: 1 num_axes: 2 }",
    "all remaining axes": "scale_param { num_axes: -1 bias_term: true }",
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("params", SCALES.values(), ids=SCALES.keys())
def test_scale_matches_opencv(tmp_path, params, size):
    assert_matches_opencv(
        tmp_path, header(3, *size) + CONV + layer("sc", "Scale", "c", params), ["sc"], (1, 3, *size)
    )


def squeeze_excite(bias_term: bool) -> str:
    # The factor comes from a second bottom of shape (1, 4); Caffe requires it to match bottom 0 from `axis` on.
    return (
        header(3, 13, 17)
        + CONV
        + layer("g", "Pooling", "data", "pooling_param { pool: AVE global_pooling: true }")
        + layer("gc", "Convolution", "g", "convolution_param { num_output: 4 kernel_size: 1 }")
        + layer("f", "Flatten", "gc")
        + layer("sc", "Scale", "c f", f"scale_param {{ axis: 0 bias_term: {str(bias_term).lower()} }}")
    )


def test_scale_by_a_second_bottom_matches_opencv(tmp_path):
    ours = assert_matches_opencv(tmp_path, squeeze_excite(False), ["f", "sc"], (1, 3, 13, 17))
    assert ours["f"].shape == (1, 4)


def test_scale_by_a_second_bottom_with_bias_matches_caffe_formula(tmp_path):
    # OpenCV 4.14 mishandles the learned bias of a two-bottom Scale (relative error ~1 against this formula and
    # against us), so the formula referees: top = bottom0 * bottom1 + bias, both shaped (1, 4) from axis 0.
    def reference(x, blobs):
        c = sum(
            np.einsum("nchw,oc->nohw", x_window(x, p, q), blobs["c"][0][:, :, p, q])
            for p in range(3)
            for q in range(3)
        )
        c = c + blobs["c"][1][None, :, None, None]
        g = x.mean(axis=(2, 3))
        factor = g @ blobs["gc"][0][:, :, 0, 0].T + blobs["gc"][1]
        return c * factor[:, :, None, None] + blobs["sc"][0][:, :, None, None]

    assert_matches_reference(tmp_path, squeeze_excite(True), "sc", (1, 3, 13, 17), reference)


def x_window(x, p, q):
    """The input seen by kernel tap (p, q) of a 3x3 convolution with pad 1, stride 1."""
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    return padded[:, :, p : p + x.shape[2], q : q + x.shape[3]]


def test_scale_with_a_single_factor_matches_caffe_formula(tmp_path):
    # `num_axes: 0` makes the factor and bias 0-axis blobs (one value each, shape {} in the file). OpenCV cannot
    # read 0-axis blobs (it asserts in Mat::create), so the formula referees; the weights are written by protobuf.
    blobs = {"sc": ("Scale", [np.array(1.7), np.array(-0.3)])}
    prototxt = header(3, 5, 7) + layer("sc", "Scale", "data", "scale_param { num_axes: 0 bias_term: true }")
    assert_matches_reference(tmp_path, prototxt, "sc", (1, 3, 5, 7), lambda x, _: x * 1.7 - 0.3, blobs=blobs)


def test_random_weights_for_a_single_factor_scale_load(tmp_path):
    deploy, weights = tmp_path / "deploy.prototxt", tmp_path / "weights.caffemodel"
    deploy.write_text(header(3, 5, 7) + layer("sc", "Scale", "data", "scale_param { num_axes: 0 }"))
    write_random_caffemodel(deploy, weights)
    assert load_caffe(deploy, weights).layers["sc"].weight.shape == ()


def test_scale_by_a_second_bottom_that_does_not_fit_is_refused(tmp_path):
    deploy = tmp_path / "deploy.prototxt"
    deploy.write_text(header(4, 13, 17) + layer("sc", "Scale", "data data"))  # axis 1 + 4 axes > 4 axes
    with pytest.raises(CaffeFormatError):
        load_caffe(deploy)
