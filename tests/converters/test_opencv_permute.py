"""Permute (SSD's fork layer) against OpenCV, alone and followed by the Flatten SSD puts after it; a partial order
(which OpenCV refuses: it wants every axis) against the fork's rule in numpy, the axes left out following in order."""

from __future__ import annotations

import pytest

from tests.converters.opencv_reference import assert_matches_opencv, assert_matches_reference, header

ORDERS = {"SSD's NCHW to NHWC": "0 2 3 1", "swap H and W": "0 1 3 2", "channels last two": "0 3 1 2",
          }


@pytest.mark.parametrize("size", [(16, 16), (13, 17)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_permute_matches_opencv(tmp_path, order, size):
    orders = " ".join(f"order: {axis}" for axis in order.split())
    prototxt = header(4, *size) + (
        'layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 5 '
        "kernel_size: 3 pad: 1 } }\n"
        f'layer {{ name: "p" type: "Permute" bottom: "c" top: "p" permute_param {{ {orders} }} }}\n'
        'layer { name: "f" type: "Flatten" bottom: "p" top: "f" }\n'
    )
    ours = assert_matches_opencv(tmp_path, prototxt, ["p", "f"], (1, 4, *size))
    assert ours["p"].shape[0] == 1 and sorted(ours["p"].shape[1:]) == sorted((5, *size))


def test_a_partial_order_puts_the_other_axes_after_it(tmp_path):
    prototxt = header(4, 6, 7) + 'layer { name: "p" type: "Permute" bottom: "data" top: "p" permute_param { order: 0 order: 2 } }\n'
    assert_matches_reference(tmp_path, prototxt, "p", (1, 4, 6, 7), lambda x, weights: x.transpose(0, 2, 1, 3))
