"""What a user sees when files do not fit together: one clear CaffeFormatError naming the layer."""

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deepdream_torch import load_caffe
from deepdream_torch.caffe.errors import CaffeFormatError, UnknownBlobError
from deepdream_torch.caffe.write import write_caffemodel
from deepdream_torch.net.random_weights import write_random_caffemodel

SMALL = """name: "small"
input: "data" input_shape { dim: 1 dim: 3 dim: 12 dim: 12 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 4 kernel_size: 3 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "fc" type: "InnerProduct" bottom: "pool1" top: "fc" inner_product_param { num_output: 5 } }
"""


@pytest.fixture
def small(tmp_path):
    prototxt = tmp_path / "small.prototxt"
    prototxt.write_text(SMALL)
    caffemodel = write_random_caffemodel(prototxt, tmp_path / "small.caffemodel")
    return prototxt, caffemodel


def test_weights_of_another_net_are_named_as_such(small, shared, tmp_path):
    _prototxt, caffemodel = small
    with pytest.raises(CaffeFormatError, match="weights for none of the net's"):
        load_caffe(shared / "models" / "bvlc_googlenet" / "deploy.prototxt", caffemodel)


def test_shape_mismatch_names_the_layer_and_both_shapes(small, tmp_path):
    prototxt, _ = small
    wrong = tmp_path / "wrong.caffemodel"
    write_caffemodel(wrong, [("conv1", "Convolution", [np.zeros((4, 3, 5, 5)), np.zeros(4)]),
                             ("fc", "InnerProduct", [np.zeros((5, 100)), np.zeros(5)])])
    with pytest.raises(CaffeFormatError, match=r"layer 'conv1' blob 0: the caffemodel has shape \(4, 3, 5, 5\), "
                                               r"the net needs \(4, 3, 3, 3\)"):
        load_caffe(prototxt, wrong)


def test_a_layer_missing_from_the_caffemodel_is_named(small, tmp_path):
    prototxt, _ = small
    partial = tmp_path / "partial.caffemodel"
    write_caffemodel(partial, [("conv1", "Convolution", [np.zeros((4, 3, 3, 3)), np.zeros(4)])])
    with pytest.raises(CaffeFormatError, match="no weights for layer 'fc'"):
        load_caffe(prototxt, partial)


def test_extra_train_only_layers_in_the_caffemodel_are_ignored(small, tmp_path):
    prototxt, caffemodel = small
    net = load_caffe(prototxt, caffemodel)
    extra = tmp_path / "extra.caffemodel"
    from deepdream_torch.net.random_weights import random_weights

    write_caffemodel(extra, [*random_weights(prototxt), ("loss_head", "InnerProduct", [np.ones((2, 2))])])
    x = torch.randn(1, 3, 12, 12)
    with torch.no_grad():
        assert torch.equal(load_caffe(prototxt, extra)(x, outputs=["fc"])["fc"], net(x, outputs=["fc"])["fc"])


def test_a_bottom_nobody_writes_is_named(tmp_path):
    prototxt = tmp_path / "p.prototxt"
    prototxt.write_text(SMALL.replace('bottom: "pool1"', 'bottom: "pool_1"'))
    with pytest.raises(CaffeFormatError, match="layer 'fc' reads blob 'pool_1'"):
        load_caffe(prototxt)


def test_unknown_blob_lists_close_names(small):
    net = load_caffe(*small)
    with pytest.raises(UnknownBlobError, match="closest: conv1"):
        net(torch.zeros(1, 3, 12, 12), outputs=["conv_1"])


def test_blob_names_in_forward_order_and_shapes_at_the_declared_size(small):
    net = load_caffe(*small)
    assert net.blob_names == ["data", "conv1", "relu1", "pool1", "fc"]
    assert net.blob_shapes["pool1"] == (1, 4, 5, 5) and net.blob_shapes["fc"] == (1, 5)
    assert not any(p.requires_grad for p in net.parameters())


def test_any_input_size_caffe_accepts_runs(small):
    net = load_caffe(*small)
    out = net(torch.randn(2, 3, 31, 17), outputs=["pool1"])["pool1"]
    assert out.shape == (2, 4, 15, 8)  # ceil((29-2)/2)+1 = 15, ceil((15-2)/2)+1 = 8


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_prototxts_raise_only_our_error(tmp_path, data):
    text = SMALL
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(text) - 1))
        replacement = data.draw(st.sampled_from(["0", "1", "7", "-1", "", " ", "}", '"', "99999", "conv1", "x"]))
        text = text[:position] + replacement + text[position + 1 :]
    prototxt = tmp_path / "m.prototxt"
    prototxt.write_text(text)
    try:
        net = load_caffe(prototxt)
        if np.prod(net.input_shape) < 1e6:  # a mutated input size can ask for gigabytes
            net(torch.zeros(net.input_shape), outputs=[net.blob_names[-1]])
    except CaffeFormatError:
        pass


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("kernel_size: 3 }", "kernel_size: 0 }", "kernel must be at least 1"),
        ("stride: 2 }", "stride: 0 }", "stride must be at least 1"),
        ("num_output: 4 kernel_size: 3", "num_output: 4 group: 0 kernel_size: 3", "group must be at least 1"),
        ("num_output: 4 kernel_size: 3", "num_output: 4 group: 3 kernel_size: 3", "group 3 does not divide"),
        ("kernel_size: 2 stride: 2", "kernel_size: 40 stride: 2", r"10x10 input is smaller than its \(40, 40\) window"),
        ("dim: 12 dim: 12", "dim: 12 dim: 0", "all sizes >= 1"),
    ],
)
def test_impossible_layer_settings_are_explained(tmp_path, old, new, message):
    prototxt = tmp_path / "p.prototxt"
    assert old in SMALL
    prototxt.write_text(SMALL.replace(old, new))
    with pytest.raises(CaffeFormatError, match=message):
        load_caffe(prototxt)
