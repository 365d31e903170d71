"""Eltwise SUM (plain and with coefficients), PROD and MAX of two and three bottoms, against OpenCV."""

from __future__ import annotations

import numpy as np
import pytest

from tests.converters.opencv_reference import assert_matches_opencv, header

SIZES = [(16, 16), (13, 17)]


def conv(name: str) -> str:
    return (
        f'layer {{ name: "{name}" type: "Convolution" bottom: "data" top: "{name}" '
        "convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }\n"
    )


OPERATIONS = {
    "SUM": ("a b", ""),
    "SUM of three with coeff": ("a b data", "operation: SUM coeff: 0.5 coeff: -2 coeff: 1.5"),
    "PROD": ("a b", "operation: PROD"),
    "PROD of three": ("a b data", "operation: PROD"),
    "MAX": ("a b", "operation: MAX"),
    "MAX of three": ("a b data", "operation: MAX"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_eltwise_matches_opencv(tmp_path, case, size):
    bottoms, params = case
    bottom = " ".join(f'bottom: "{b}"' for b in bottoms.split())
    prototxt = (
        header(4, *size)
        + conv("a")
        + conv("b")
        + f'layer {{ name: "e" type: "Eltwise" {bottom} top: "e" eltwise_param {{ {params} }} }}\n'
    )
    ours = assert_matches_opencv(tmp_path, prototxt, ["a", "b", "e"], (1, 4, *size))
    if params.startswith("operation: MAX"):  # each bottom wins somewhere, so the choice of winner is compared
        assert (ours["e"] == ours["a"]).any() and (ours["e"] == ours["b"]).any()
    assert not np.allclose(ours["e"], ours["a"])
