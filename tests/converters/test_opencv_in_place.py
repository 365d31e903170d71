"""Names of blobs that later layers change in place, against OpenCV's `forward(NAME)`.

A name means the output of the layer called NAME right after it ran: conv `c1` followed by an in-place ReLU `r1`
(top `c1`) gives the convolution's output for "c1" (negative values and all) and the ReLU's for "r1".
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.converters.opencv_reference import assert_matches_opencv, header

SIZES = [(16, 16), (13, 17)]


def layer(name: str, type_name: str, bottom: str, top: str, params: str = "") -> str:
    return f'layer {{ name: "{name}" type: "{type_name}" bottom: "{bottom}" top: "{top}" {params} }}\n'


def chain(size) -> str:
    return (
        header(3, *size)
        + layer(
            "c1", "Convolution", "data", "c1", "convolution_param { num_output: 4 kernel_size: 3 pad: 1 }"
        )
        + layer("r1", "ReLU", "c1", "c1")
        + layer(
            "c2", "Convolution", "c1", "c2", "convolution_param { num_output: 4 kernel_size: 3 stride: 2 }"
        )
        + layer("bn", "BatchNorm", "c2", "c2")
        + layer("sc", "Scale", "c2", "c2", "scale_param { bias_term: true }")
        + layer("r2", "ReLU", "c2", "c2", "relu_param { negative_slope: 0.2 }")
        + layer("dr", "Dropout", "c2", "c2")
        + layer("pr", "PReLU", "c2", "c2")
        + layer("pool", "Pooling", "c2", "pool", "pooling_param { pool: MAX kernel_size: 3 stride: 2 }")
    )


IN_PLACE = ["c1", "r1", "c2", "bn", "sc", "r2", "dr", "pr", "pool"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_name_in_an_in_place_chain_matches_opencv(tmp_path, size):
    ours = assert_matches_opencv(tmp_path, chain(size), IN_PLACE, (1, 3, *size))
    assert (ours["c1"] < 0).any(), "c1 is the convolution's output, before r1 clamps it"
    np.testing.assert_array_equal(ours["r1"], np.maximum(ours["c1"], 0))
    for before, after in [("c2", "bn"), ("bn", "sc"), ("sc", "r2"), ("dr", "pr")]:  # each changed the blob
        assert not np.allclose(ours[before], ours[after]), f"{after} should differ from {before}"
    np.testing.assert_array_equal(ours["dr"], ours["r2"])  # Dropout passes it on unchanged


@pytest.mark.parametrize("names", [["r1", "c1"], ["sc", "bn"], ["pr", "c2", "r1"]], ids=str)
def test_names_asked_in_any_order_match_opencv(tmp_path, names):
    assert_matches_opencv(tmp_path, chain((13, 17)), names, (1, 3, 13, 17))


def test_a_top_named_unlike_its_layer_means_its_first_writer(tmp_path):
    # Top "feat" is written by conv "conv" and then in place by ReLU "relu": "feat" is the convolution's output.
    prototxt = (
        header(3, 13, 17)
        + layer("conv", "Convolution", "data", "feat", "convolution_param { num_output: 4 kernel_size: 3 }")
        + layer("relu", "ReLU", "feat", "feat")
    )
    ours = assert_matches_opencv(tmp_path, prototxt, ["feat", "conv", "relu"], (1, 3, 13, 17))
    np.testing.assert_array_equal(ours["feat"], ours["conv"])
    assert (ours["feat"] < 0).any() and not (ours["relu"] < 0).any()
