"""What every converted net promises beyond its numbers: it stops after the last blob asked for, its parameters
never require grad (dreaming differentiates the input only), and every registered layer type has a reference test
in this folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from torch import nn

from deepdream_torch import load_caffe
from deepdream_torch.caffe.layer_types import V1_TYPE_NAMES
from deepdream_torch.converters import supported_types
from tests.converters.opencv_reference import header, random_input, write_net

NET = (
    header(3, 13, 17)
    + 'layer { name: "c1" type: "Convolution" bottom: "data" top: "c1" '
    + "convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }\n"
    + 'layer { name: "r1" type: "ReLU" bottom: "c1" top: "c1" }\n'
    + 'layer { name: "c2" type: "Convolution" bottom: "c1" top: "c2" '
    + "convolution_param { num_output: 4 kernel_size: 3 stride: 2 } }\n"
    + 'layer { name: "pool" type: "Pooling" bottom: "c2" top: "pool" pooling_param { pool: MAX kernel_size: 2 } }\n'
)


class Forbidden(nn.Module):
    def forward(self, *bottoms: torch.Tensor) -> torch.Tensor:
        raise AssertionError("a layer after the last requested blob ran")


@pytest.fixture
def net(tmp_path):
    return load_caffe(*write_net(tmp_path, NET))


def key_of(net, layer: str) -> str:
    return next(step.key for step in net.steps if step.layer == layer)


@pytest.mark.parametrize("outputs", [["c1"], ["r1"], ["r1", "c1"], ["c1", "data"]], ids=str)
def test_forward_stops_after_the_last_requested_blob(net, outputs):
    x = torch.from_numpy(random_input((1, 3, 13, 17)))
    with torch.no_grad():
        expected = net(x, outputs=outputs)
        net.layers[key_of(net, "c2")] = Forbidden()
        got = net(x, outputs=outputs)
    assert set(got) == set(expected) == set(outputs)
    for name in outputs:
        torch.testing.assert_close(got[name], expected[name], rtol=0, atol=0)


def test_forward_does_run_a_layer_that_is_asked_for(net):
    # The guard above can fail: asking for c2 reaches the forbidden layer.
    net.layers[key_of(net, "c2")] = Forbidden()
    with pytest.raises(AssertionError, match="after the last requested"):
        net(torch.from_numpy(random_input((1, 3, 13, 17))), outputs=["pool"])


EVERY_PARAMETER_KIND = (
    header(3, 13, 17)
    + 'layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" '
    + "convolution_param { num_output: 4 kernel_size: 3 } }\n"
    + 'layer { name: "bn" type: "BatchNorm" bottom: "conv" top: "conv" }\n'
    + 'layer { name: "scale" type: "Scale" bottom: "conv" top: "conv" scale_param { bias_term: true } }\n'
    + 'layer { name: "prelu" type: "PReLU" bottom: "conv" top: "conv" }\n'
    + 'layer { name: "up" type: "Deconvolution" bottom: "conv" top: "up" '
    + "convolution_param { num_output: 2 kernel_size: 2 stride: 2 } }\n"
    + 'layer { name: "fc" type: "InnerProduct" bottom: "up" top: "fc" inner_product_param { num_output: 3 } }\n'
)


def test_parameters_never_require_grad_but_the_input_gets_one(tmp_path):
    net = load_caffe(*write_net(tmp_path, EVERY_PARAMETER_KIND))
    parameters = list(net.parameters())
    assert len(parameters) == 2 + 3 + 2 + 1 + 2 + 2  # conv, bn, scale, prelu, up, fc: all of them are there
    assert not any(p.requires_grad for p in parameters)
    x = torch.from_numpy(random_input((1, 3, 13, 17))).requires_grad_()
    net(x, outputs=["fc"])["fc"].square().sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert all(p.grad is None for p in parameters)


def test_every_registered_layer_type_has_a_reference_test_here():
    # Covered: the type's name is quoted in one of this folder's reference tests (as in `type: "Crop"` or
    # layer("crop", "Crop", ...)), or its V1 enum is (`type: CONVOLUTION`). Registering a type needs a test here.
    text = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_opencv_*.py"))
    quoted = set(re.findall(r'"(\w+)"', text))
    quoted |= {V1_TYPE_NAMES[t] for t in re.findall(r"\b[A-Z][A-Z_]+\b", text) if t in V1_TYPE_NAMES}
    missing = sorted(set(supported_types()) - quoted)
    assert not missing, f"registered types without a reference test in tests/converters: {missing}"
