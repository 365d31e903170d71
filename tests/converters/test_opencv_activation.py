"""Element-wise layers against OpenCV: ReLU (leaky too), PReLU, Sigmoid, TanH, Power and Dropout."""

from __future__ import annotations

import numpy as np
import pytest

from tests.converters.opencv_reference import assert_matches_opencv, header

SIZES = [(16, 16), (13, 17)]

# (input scale, layer): a Power layer scales the N(0, 40) test input first, so Sigmoid and TanH see their curved
# range rather than saturation and the Power cases keep their base positive where the exponent needs it. (Not a
# convolution: its float rounding, about 1e-6 of a +-50 range, passes through TanH's unit slope into a +-1 output.)
ACTIVATIONS = {
    "ReLU": (1.0, 'type: "ReLU"'),
    "ReLU negative_slope 0.1": (1.0, 'type: "ReLU" relu_param { negative_slope: 0.1 }'),
    "PReLU per channel": (1.0, 'type: "PReLU"'),
    "PReLU channel_shared": (1.0, 'type: "PReLU" prelu_param { channel_shared: true }'),
    "Sigmoid": (0.1, 'type: "Sigmoid"'),
    "TanH": (0.05, 'type: "TanH"'),
    "Power square, scale, shift": (1.0, 'type: "Power" power_param { power: 2 scale: 0.01 shift: 1.5 }'),
    "Power cube, negative shift": (1.0, 'type: "Power" power_param { power: 3 scale: 0.02 shift: -0.5 }'),
    "Power square root": (1.0, 'type: "Power" power_param { power: 0.5 scale: 0.001 shift: 1 }'),
    "Power negative exponent": (1.0, 'type: "Power" power_param { power: -0.75 scale: 0.001 shift: 1 }'),
    "Power 1 (affine only)": (1.0, 'type: "Power" power_param { scale: -2 shift: 3 }'),
    "Dropout": (1.0, 'type: "Dropout" dropout_param { dropout_ratio: 0.5 }'),
}


def net(size, scale: float, layer: str) -> str:
    return (
        header(4, *size)
        + f'layer {{ name: "s" type: "Power" bottom: "data" top: "s" power_param {{ scale: {scale} }} }}\n'
        + f'layer {{ name: "l" {layer} bottom: "s" top: "l" }}\n'
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", ACTIVATIONS.values(), ids=ACTIVATIONS.keys())
def test_activation_matches_opencv(tmp_path, case, size):
    ours = assert_matches_opencv(tmp_path, net(size, *case), ["s", "l"], (1, 4, *size))
    assert (ours["s"] < 0).any() and (ours["s"] > 0).any(), "the test input should reach both signs"


def test_dropout_passes_its_input_through_unchanged(tmp_path):
    # Caffe scales at training time, so at test time its Dropout is the identity, bit for bit.
    ours = assert_matches_opencv(tmp_path, net((13, 17), *ACTIVATIONS["Dropout"]), ["s", "l"], (1, 4, 13, 17))
    np.testing.assert_array_equal(ours["l"], ours["s"])
