"""Every zoo deploy prototxt in ../shared, with random weights written as real caffemodels, against OpenCV."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from deepdream_torch import load_caffe
from deepdream_torch.net.random_weights import write_random_caffemodel
from tests.net.opencv_reference import opencv_outputs, relative_errors, truncated_prototxt

TOLERANCE = 1e-4
ZOO = {  # model → (declared input size, deepest layer that still runs at other sizes)
    "bvlc_googlenet": (224, "inception_5b/output"),
    "bvlc_alexnet": (227, "pool5"),
    "bvlc_reference_caffenet": (227, "pool5"),
    "finetune_flickr_style": (227, "pool5"),
    "bvlc_reference_rcnn_ilsvrc13": (227, "pool5"),
}


@pytest.fixture(scope="module")
def zoo_model(shared, tmp_path_factory):
    made = {}

    def make(name: str):
        if name not in made:
            prototxt = shared / "models" / name / "deploy.prototxt"
            caffemodel = tmp_path_factory.mktemp(name) / f"{name}.caffemodel"
            write_random_caffemodel(prototxt, caffemodel, seed=1)
            made[name] = (prototxt, caffemodel)
        return made[name]

    return make


def _input(height: int, width: int, seed: int = 0) -> np.ndarray:
    # BGR with the ImageNet mean subtracted, as a picture gives it.
    return np.random.default_rng(seed).uniform(-123, 150, size=(1, 3, height, width)).astype(np.float32)


@pytest.mark.parametrize("model", sorted(ZOO))
def test_every_layer_matches_opencv_at_the_declared_size(model, zoo_model):
    prototxt, caffemodel = zoo_model(model)
    size = ZOO[model][0]
    net = load_caffe(prototxt, caffemodel)
    names = [step.layer for step in net.steps]
    x = _input(size, size)
    with torch.no_grad():
        ours = net(torch.from_numpy(x), outputs=names)
    errors = relative_errors(ours, opencv_outputs(prototxt, caffemodel, x, names))
    worst = max(errors, key=errors.get)
    assert errors[worst] <= TOLERANCE, f"{model}: {worst} differs from OpenCV by {errors[worst]:.2e}"


@pytest.mark.parametrize("model", sorted(ZOO))
def test_layers_match_opencv_at_an_odd_size_where_ceil_pooling_bites(model, zoo_model, tmp_path):
    prototxt, caffemodel = zoo_model(model)
    height, width = 187, 333
    cut = truncated_prototxt(prototxt, ZOO[model][1], (height, width), tmp_path / "cut.prototxt")
    net = load_caffe(prototxt, caffemodel)
    names = [step.layer for step in net.steps][: [s.layer for s in net.steps].index(ZOO[model][1]) + 1]
    x = _input(height, width, seed=3)
    with torch.no_grad():
        ours = net(torch.from_numpy(x), outputs=names)
    errors = relative_errors(ours, opencv_outputs(cut, caffemodel, x, names))
    worst = max(errors, key=errors.get)
    assert errors[worst] <= TOLERANCE, f"{model} at {height}x{width}: {worst} differs by {errors[worst]:.2e}"


def test_names_changed_in_place_later_keep_the_value_before_the_change(zoo_model):
    # conv1/7x7_s2 is rewritten in place by conv1/relu_7x7; the name still means the convolution's output.
    prototxt, caffemodel = zoo_model("bvlc_googlenet")
    net = load_caffe(prototxt, caffemodel)
    with torch.no_grad():
        out = net(torch.from_numpy(_input(224, 224)), outputs=["conv1/7x7_s2", "conv1/relu_7x7"])
    assert (out["conv1/7x7_s2"] < 0).any()
    assert torch.equal(out["conv1/relu_7x7"], out["conv1/7x7_s2"].clamp(min=0))


def test_alexnet_conv5_before_and_after_its_in_place_relu(zoo_model):
    prototxt, caffemodel = zoo_model("bvlc_alexnet")
    net = load_caffe(prototxt, caffemodel)
    x = _input(227, 227, seed=5)
    with torch.no_grad():
        ours = net(torch.from_numpy(x), outputs=["conv5", "relu5"])
    reference = opencv_outputs(prototxt, caffemodel, x, ["conv5", "relu5"])
    assert (reference["conv5"] < 0).any() and (reference["relu5"] >= 0).all()
    assert max(relative_errors(ours, reference).values()) <= TOLERANCE
