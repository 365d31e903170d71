"""open_nsfw: a real, trained ResNet-50 caffemodel (BatchNorm + Scale + Eltwise), checked at every layer."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from deepdream_torch import load_caffe
from deepdream_torch.caffe.prototxt import read_prototxt
from tests.net.opencv_reference import opencv_outputs, relative_errors, truncated_prototxt

TOLERANCE = 1e-4
MEAN_BGR = np.array([104, 117, 123], dtype=np.float32)


@pytest.fixture(scope="module")
def nsfw(shared):
    folder = shared / "models" / "open_nsfw"
    prototxt, caffemodel = folder / "deploy.prototxt", folder / "resnet_50_1by2_nsfw.caffemodel"
    if not caffemodel.exists():
        pytest.skip(f"{caffemodel} is absent")
    return prototxt, caffemodel, load_caffe(prototxt, caffemodel)


def _cat(shared, height: int, width: int) -> np.ndarray:
    rgb = Image.open(shared / "media" / "cat.jpg").convert("RGB").resize((width, height), Image.BILINEAR)
    bgr = np.asarray(rgb, dtype=np.float32)[:, :, ::-1] - MEAN_BGR
    return np.ascontiguousarray(bgr.transpose(2, 0, 1)[None])


def test_every_layer_matches_opencv_on_the_cat(nsfw, shared):
    prototxt, caffemodel, net = nsfw
    names = [step.layer for step in net.steps]
    x = _cat(shared, 224, 224)
    with torch.no_grad():
        ours = net(torch.from_numpy(x), outputs=names)
    reference = opencv_outputs(prototxt, caffemodel, x, names)
    errors = relative_errors(ours, reference)
    worst = max(errors, key=errors.get)
    assert len(errors) == sum(1 for layer in read_prototxt(prototxt).layer if layer.type != "Input") == 228
    assert errors[worst] <= TOLERANCE, f"{worst} differs from OpenCV by {errors[worst]:.2e}"
    np.testing.assert_allclose(ours["prob"].numpy(), reference["prob"], atol=1e-5)
    assert ours["prob"].sum().item() == pytest.approx(1.0, abs=1e-5)


def test_layers_up_to_pool_match_at_an_odd_larger_size(nsfw, shared, tmp_path):
    prototxt, caffemodel, net = nsfw
    height, width = 251, 303
    cut = truncated_prototxt(prototxt, "pool", (height, width), tmp_path / "cut.prototxt")
    layers = [step.layer for step in net.steps]
    names = layers[: layers.index("pool") + 1]
    x = _cat(shared, height, width)
    with torch.no_grad():
        ours = net(torch.from_numpy(x), outputs=names)
    errors = relative_errors(ours, opencv_outputs(cut, caffemodel, x, names))
    worst = max(errors, key=errors.get)
    assert errors[worst] <= TOLERANCE, f"{worst} differs from OpenCV by {errors[worst]:.2e}"


def test_batch_norm_uses_the_stored_scale_factor(nsfw, shared):
    # Independent of OpenCV: bn_1 = (conv_1 - mean/f) / sqrt(var/f + eps), computed from the stored blobs.
    from deepdream_torch.caffe.caffemodel import read_caffemodel

    _prototxt, caffemodel, net = nsfw
    blobs = read_caffemodel(caffemodel)["bn_1"].blobs
    mean, variance, factor = (b.values for b in blobs)
    assert factor[0] not in (0.0, 1.0)
    with torch.no_grad():
        out = net(torch.from_numpy(_cat(shared, 224, 224)), outputs=["conv_1", "bn_1"])
    conv = out["conv_1"].numpy()
    expected = (conv - (mean / factor[0])[None, :, None, None]) / np.sqrt(
        (variance / factor[0])[None, :, None, None] + 1e-5
    )
    np.testing.assert_allclose(out["bn_1"].numpy(), expected, rtol=1e-4, atol=1e-4)
