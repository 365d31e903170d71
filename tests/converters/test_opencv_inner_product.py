"""InnerProduct and Softmax against OpenCV, and InnerProduct's `transpose` against Caffe's formula."""

from __future__ import annotations

import pytest

from tests.converters.opencv_reference import assert_matches_opencv, assert_matches_reference, header

SIZES = [(8, 8), (13, 17)]
CONV = (
    'layer { name: "c" type: "Convolution" bottom: "data" top: "c" '
    "convolution_param { num_output: 4 kernel_size: 3 stride: 2 } }\n"
)


def layer(name: str, type_name: str, bottom: str, params: str = "") -> str:
    return f'layer {{ name: "{name}" type: "{type_name}" bottom: "{bottom}" top: "{name}" {params} }}\n'


INNER_PRODUCTS = {
    "axis 1 on a 4-D bottom": "inner_product_param { num_output: 10 }",
    "no bias": "inner_product_param { num_output: 7 bias_term: false }",
    "axis 2": "inner_product_param { num_output: 5 axis: 2 }",
}


@pytest.mark.parametrize("batch", [1, 2])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("params", INNER_PRODUCTS.values(), ids=INNER_PRODUCTS.keys())
def test_inner_product_matches_opencv(tmp_path, params, size, batch):
    prototxt = header(3, *size, n=batch) + CONV + layer("fc", "InnerProduct", "c", params)
    assert_matches_opencv(tmp_path, prototxt, ["c", "fc"], (batch, 3, *size))


@pytest.mark.parametrize("batch", [1, 2])
def test_inner_product_transpose_matches_caffe_formula(tmp_path, batch):
    # With `transpose: true` Caffe stores the weights as (inputs, outputs) and computes x @ W + b. OpenCV 4.14
    # ignores the flag (it reads the blob as (outputs, inputs)), so the formula referees.
    prototxt = header(3, 7, 9, n=batch) + layer(
        "fc", "InnerProduct", "data", "inner_product_param { num_output: 6 transpose: true }"
    )

    def reference(x, blobs):
        weight, bias = blobs["fc"]
        assert weight.shape == (3 * 7 * 9, 6)
        return x.reshape(batch, -1) @ weight + bias

    assert_matches_reference(tmp_path, prototxt, "fc", (batch, 3, 7, 9), reference)


def test_two_inner_products_then_softmax_like_a_classifier(tmp_path):
    prototxt = (
        header(3, 13, 17, n=2)
        + CONV
        + layer("fc1", "InnerProduct", "c", "inner_product_param { num_output: 16 }")
        + layer("relu", "ReLU", "fc1")
        + layer("fc2", "InnerProduct", "relu", "inner_product_param { num_output: 10 }")
        + layer("prob", "Softmax", "fc2")
    )
    ours = assert_matches_opencv(tmp_path, prototxt, ["fc1", "relu", "fc2", "prob"], (2, 3, 13, 17))
    assert ours["prob"].sum(axis=1) == pytest.approx([1.0, 1.0], rel=1e-6)


SOFTMAXES = {
    "channels (default)": "",
    "axis 2": "softmax_param { axis: 2 }",
    "axis -1": "softmax_param { axis: -1 }",
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("params", SOFTMAXES.values(), ids=SOFTMAXES.keys())
def test_softmax_on_a_4d_blob_matches_opencv(tmp_path, params, size):
    # A scaled-down input keeps the probabilities away from exact 0 and 1, where nothing would be compared.
    prototxt = (
        header(3, *size)
        + layer("s", "Power", "data", "power_param { scale: 0.05 }")
        + layer("prob", "Softmax", "s", params)
    )
    assert_matches_opencv(tmp_path, prototxt, ["prob"], (1, 3, *size))
