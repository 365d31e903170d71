"""ELU, AbsVal, BNLL, Exp and Log against OpenCV; Log's base/scale/shift (which OpenCV ignores: it takes the plain
natural log) and Threshold (which OpenCV lacks) against Caffe's formula in numpy; and each one passes a dream's
gradient back to the picture, as do Bias and Normalize (Threshold's is zero: a step has no slope)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deepdream_torch import load_caffe
from tests.converters.opencv_reference import (
    assert_matches_opencv,
    assert_matches_reference,
    header,
    write_net,
)

SIZES = [(16, 16), (13, 17)]

# (input scale, layer, shift): a Power layer scales (and shifts) the N(0, 40) test input first, so Exp stays
# finite and Log sees positive values.
LAYERS = {
    "ELU": (0.05, 'type: "ELU"', 0.0),
    "ELU alpha 0.3": (0.05, 'type: "ELU" elu_param { alpha: 0.3 }', 0.0),
    "AbsVal": (1.0, 'type: "AbsVal"', 0.0),
    "BNLL": (0.1, 'type: "BNLL"', 0.0),
    "Exp": (0.02, 'type: "Exp"', 0.0),
    "Exp base 2 scale shift": (0.02, 'type: "Exp" exp_param { base: 2 scale: 0.5 shift: -1 }', 0.0),
    "Log": (0.01, 'type: "Log"', 2.0),
}
LOG_WITH_PARAMS = (0.01, 'type: "Log" log_param { base: 10 scale: 3 shift: 0.5 }', 2.0)


def net(size, scale: float, layer: str, shift: float = 0.0, channels: int = 4) -> str:
    return (
        header(channels, *size)
        + f'layer {{ name: "s" type: "Power" bottom: "data" top: "s" power_param {{ scale: {scale} shift: {shift} }} }}\n'
        + f'layer {{ name: "l" {layer} bottom: "s" top: "l" }}\n'
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", LAYERS.values(), ids=LAYERS.keys())
def test_layer_matches_opencv(tmp_path, case, size):
    assert_matches_opencv(tmp_path, net(size, *case), ["s", "l"], (1, 4, *size))


def test_log_base_scale_shift_match_caffes_formula(tmp_path):
    assert_matches_reference(
        tmp_path, net((13, 17), *LOG_WITH_PARAMS), "l", (1, 4, 13, 17),
        lambda x, weights: np.log(3 * (0.01 * x + 2) + 0.5) / np.log(10),
    )


@pytest.mark.parametrize("threshold", [0.0, 0.7, -1.5])
def test_threshold_matches_caffes_formula(tmp_path, threshold):
    layer = f'type: "Threshold" threshold_param {{ threshold: {threshold} }}'
    ours = assert_matches_reference(
        tmp_path, net((13, 17), 0.02, layer), "l", (1, 4, 13, 17),
        lambda x, weights: (x * 0.02 > threshold).astype(np.float64),
    )
    assert 0 < ours["l"].mean() < 1, "the test input should fall on both sides of the threshold"


@pytest.mark.parametrize(
    "layer",
    [
        *(case[1] for case in LAYERS.values()), LOG_WITH_PARAMS[1], 'type: "Bias"',
        'type: "Normalize" norm_param { across_spatial: false channel_shared: false }', 'type: "Threshold"',
    ],
    ids=[*LAYERS, "Log base 10", "Bias", "Normalize", "Threshold"],
)
def test_a_dream_gradient_reaches_the_picture(tmp_path, layer):
    cases = [*LAYERS.values(), LOG_WITH_PARAMS]
    scale, shift = next(((c[0], c[2]) for c in cases if c[1] == layer), (0.02, 0.0))
    deploy, weights = write_net(tmp_path, net((9, 11), scale, layer, shift, channels=3))
    model = load_caffe(deploy, weights)
    x = torch.from_numpy(np.random.default_rng(3).normal(0, 40, (1, 3, 9, 11)).astype(np.float32)).requires_grad_()
    blob = model(x, outputs=["l"])["l"]
    (grad,) = torch.autograd.grad(blob.square().sum(), x)
    assert torch.isfinite(grad).all()
    if "Threshold" in layer:
        # A step: 0 or 1 everywhere, flat on both sides, so a dream on its blob never moves the picture.
        assert not grad.any()
    else:
        assert grad.abs().sum() > 0
