"""A layer type we cannot convert stops only what depends on it: the rest converts, lists and dreams, and asking
for a blob behind it is one line naming that layer and its type."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deepdream_torch import dream, load_caffe
from deepdream_torch.caffe.errors import UnconvertedBlobError
from deepdream_torch.dreaming.dream import check_layer
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.net.random_weights import write_random_caffemodel

HEAD = 'input: "data" input_shape { dim: 1 dim: 3 dim: 24 dim: 24 }\n'
CONV = 'type: "Convolution" convolution_param {{ num_output: {n} kernel_size: 3 pad: 1 }}'
NET = HEAD + (
    f'layer {{ name: "conv1" {CONV.format(n=4)} bottom: "data" top: "conv1" }}\n'
    'layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }\n'
    # A fork's in-place layer: it spoils conv1 for every later reader.
    'layer { name: "swish1" type: "Swish" bottom: "conv1" top: "conv1" }\n'
    f'layer {{ name: "conv2" {CONV.format(n=5)} bottom: "conv1" top: "conv2" }}\n'
    # A side branch from the input that needs nothing unconverted, written after the unknown layer.
    f'layer {{ name: "side" {CONV.format(n=6)} bottom: "data" top: "side" }}\n'
    'layer { name: "lstm" type: "LSTM" bottom: "side" bottom: "conv2" top: "lstm" }\n'
    'layer { name: "py" type: "Python" bottom: "side" top: "py" python_param { module: "m" layer: "L" } }\n'
)


@pytest.fixture
def net_files(tmp_path):
    prototxt = tmp_path / "partial.prototxt"
    prototxt.write_text(NET)
    return prototxt, write_random_caffemodel(prototxt, tmp_path / "partial.caffemodel", seed=2)


def test_every_blob_is_listed_and_those_behind_unknown_layers_name_them(net_files):
    net = load_caffe(*net_files)
    assert net.listing == ["data", "conv1", "relu1", "swish1", "conv2", "side", "lstm", "py"]
    assert set(net.unconverted) == {"swish1", "conv2", "lstm", "py"}
    assert (net.unconverted["conv2"].layer, net.unconverted["conv2"].type) == ("swish1", "Swish")
    assert (net.unconverted["lstm"].layer, net.unconverted["py"].type) == ("swish1", "Python")
    assert net.blob_shapes["side"] == (1, 6, 24, 24)
    with pytest.raises(UnconvertedBlobError, match="'conv2' .*layer 'swish1' of type 'Swish'") as error:
        net.check_blob("conv2")
    assert "\n" not in str(error.value)
    assert any("not converted" in note and "'swish1' (Swish)" in note for note in net.notes)


def test_the_converted_part_computes_what_the_net_without_the_unknown_layers_does(net_files, tmp_path):
    prototxt, caffemodel = net_files
    cut = tmp_path / "cut.prototxt"
    cut.write_text("\n".join(line for line in NET.splitlines() if not any(
        name in line for name in ('"swish1"', '"conv2"', '"lstm"', '"py"'))) + "\n")
    x = torch.randn(1, 3, 24, 24) * 40
    with torch.no_grad():
        ours = load_caffe(prototxt, caffemodel)(x, outputs=["relu1", "side"])
        reference = load_caffe(cut, caffemodel)(x, outputs=["relu1", "side"])
    assert torch.equal(ours["relu1"], reference["relu1"]) and torch.equal(ours["side"], reference["side"])


def test_a_dream_on_a_blob_before_the_unknown_layer_runs_and_one_behind_it_is_one_line(net_files):
    net = load_caffe(*net_files)
    picture = np.random.default_rng(0).integers(0, 255, (40, 48, 3), dtype=np.uint8)
    out = dream(picture, net, layer="side", octaves=2, iterations=2, seed=0, device="cpu")
    assert out.shape == picture.shape and not np.array_equal(out, picture)
    with pytest.raises(DreamError, match=r"cannot dream: blob 'lstm' .*layer 'swish1' of type 'Swish'") as error:
        check_layer(net, "lstm")
    assert "\n" not in str(error.value)
