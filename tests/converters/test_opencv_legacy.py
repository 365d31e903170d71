"""Legacy V1 nets (`layers {}` with type enums, `input_dim:` headers, 4-D legacy weight blobs) against OpenCV,
which upgrades V1 nets itself."""

from __future__ import annotations

import pytest

from tests.converters.opencv_reference import assert_matches_opencv, legacy_header

SIZES = [(15, 13), (27, 31)]


def layers(name: str, type_name: str, bottoms: str, top: str = "", params: str = "") -> str:
    bottom = " ".join(f'bottom: "{b}"' for b in bottoms.split())
    return f'layers {{ name: "{name}" type: {type_name} {bottom} top: "{top or name}" {params} }}\n'


def alexnet_like(size) -> str:
    # Old zoo files carry training fields (blobs_lr, weight_decay, fillers) that a deploy run ignores.
    return (
        legacy_header(3, *size)
        + layers(
            "conv1",
            "CONVOLUTION",
            "data",
            params="blobs_lr: 1 blobs_lr: 2 weight_decay: 1 weight_decay: 0 convolution_param { num_output: 8 "
            'kernel_size: 3 stride: 2 weight_filler { type: "gaussian" std: 0.01 } }',
        )
        + layers("relu1", "RELU", "conv1", "conv1")
        + layers("pool1", "POOLING", "conv1", params="pooling_param { pool: MAX kernel_size: 3 stride: 2 }")
        + layers("norm1", "LRN", "pool1", params="lrn_param { local_size: 5 alpha: 0.0001 beta: 0.75 }")
        + layers("a", "CONVOLUTION", "norm1", params="convolution_param { num_output: 4 kernel_size: 1 }")
        + layers(
            "b",
            "CONVOLUTION",
            "norm1",
            params="convolution_param { num_output: 4 kernel_size: 3 pad: 1 group: 2 }",
        )
        + layers("cat", "CONCAT", "a b")
        + layers("sum", "ELTWISE", "a b", params="eltwise_param { operation: SUM coeff: 1 coeff: -0.5 }")
        + layers("fc6", "INNER_PRODUCT", "cat", params="inner_product_param { num_output: 12 }")
        + layers("relu6", "RELU", "fc6", "fc6")
        + layers("drop6", "DROPOUT", "fc6", "fc6", "dropout_param { dropout_ratio: 0.5 }")
        + layers("fc7", "INNER_PRODUCT", "fc6", params="inner_product_param { num_output: 10 }")
        + layers("prob", "SOFTMAX", "fc7")
    )


ALEXNET_NAMES = [
    "conv1",
    "relu1",
    "pool1",
    "norm1",
    "a",
    "b",
    "cat",
    "sum",
    "fc6",
    "relu6",
    "drop6",
    "fc7",
    "prob",
]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_legacy_alexnet_like_net_matches_opencv(tmp_path, size):
    assert_matches_opencv(tmp_path, alexnet_like(size), ALEXNET_NAMES, (1, 3, *size), legacy=True)


def other_types(size) -> str:
    return (
        legacy_header(3, *size)
        + layers(
            "conv", "CONVOLUTION", "data", params="convolution_param { num_output: 6 kernel_size: 3 pad: 1 }"
        )
        + layers("scaled", "POWER", "conv", params="power_param { power: 1 scale: 0.05 shift: 0.1 }")
        + layers("sig", "SIGMOID", "scaled")
        + layers("tanh", "TANH", "scaled")
        + layers("prod", "ELTWISE", "sig tanh", params="eltwise_param { operation: PROD }")
        + layers("max", "ELTWISE", "sig tanh", params="eltwise_param { operation: MAX }")
        + layers(
            "ave", "POOLING", "prod", params="pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 }"
        )
        + layers(
            "up",
            "DECONVOLUTION",
            "ave",
            params="convolution_param { num_output: 4 kernel_size: 4 stride: 2 }",
        )
        + 'layers { name: "slice" type: SLICE bottom: "max" top: "s1" top: "s2" slice_param { slice_point: 2 } }\n'
        + 'layers { name: "split" type: SPLIT bottom: "s2" top: "t1" top: "t2" }\n'
        + layers("r1", "CONVOLUTION", "s1", params="convolution_param { num_output: 2 kernel_size: 1 }")
        + layers("r2", "CONVOLUTION", "t1", params="convolution_param { num_output: 2 kernel_size: 1 }")
        + layers("r3", "CONVOLUTION", "t2", params="convolution_param { num_output: 2 kernel_size: 3 }")
    )


OTHER_NAMES = [
    "conv",
    "scaled",
    "sig",
    "tanh",
    "prod",
    "max",
    "ave",
    "up",
    "s1",
    "s2",
    "t1",
    "t2",
    "r1",
    "r2",
    "r3",
]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_legacy_net_with_other_v1_types_matches_opencv(tmp_path, size):
    assert_matches_opencv(tmp_path, other_types(size), OTHER_NAMES, (1, 3, *size), legacy=True)


def test_legacy_flatten_matches_opencv(tmp_path):
    prototxt = (
        legacy_header(3, 15, 13)
        + layers("conv", "CONVOLUTION", "data", params="convolution_param { num_output: 4 kernel_size: 3 }")
        + layers("flat", "FLATTEN", "conv")
        + layers("fc", "INNER_PRODUCT", "flat", params="inner_product_param { num_output: 5 }")
    )
    assert_matches_opencv(tmp_path, prototxt, ["flat", "fc"], (1, 3, 15, 13), legacy=True)
