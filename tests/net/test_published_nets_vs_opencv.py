"""Published deploy prototxts (tests/data/zoo, sources in its README) with random weights, against OpenCV's own
Caffe importer with fusion off: every converted blob has OpenCV's shape and values.

These cover what the BVLC nets in ../shared do not: depthwise convolutions (MobileNet), fire modules and global
pooling (SqueezeNet), a fork's pooling field (DenseNet's ``ceil_mode: false``), a batch of 10 declared with
``input_dim`` (Places365), and a detector whose later layers we do not convert (SSD: Normalize and Permute convert;
PriorBox, what reads it and DetectionOutput are left unconverted and the blobs before them still match).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from deepdream_torch import load_caffe
from deepdream_torch.net.random_weights import write_random_caffemodel
from tests.net.opencv_reference import cv2, opencv_outputs

ZOO = Path(__file__).parents[1] / "data" / "zoo"
TOLERANCE = 1e-4  # max |ours - OpenCV| / max |OpenCV| per blob
# Sigmoid (HED's side outputs) and Softmax (SSD's class scores) on scores in the hundreds (random weights): both
# sides' float rounding of those scores (they agree to 3e-5 of their range) moves a steep sigmoid or softmax, and
# what reads it, by up to 8e-4 of its [0, 1] range.
SATURATING = {"Sigmoid", "Softmax"}
SATURATING_TOLERANCE = 1e-3
NETS = {  # file → input side
    "densenet121_deploy.prototxt": 224,
    "mobilenet_v1_deploy.prototxt": 224,
    "squeezenet_v1.1_deploy.prototxt": 227,
    "places365_alexnet_deploy.prototxt": 227,
    "ssd300_vgg_voc0712_deploy.prototxt": 300,
    "hed_deploy.prototxt": 224,  # Deconvolution and Crop back to the input size, side outputs fused
    "fcn8s_voc_deploy.prototxt": 224,  # Deconvolution, Crop with offsets, skip connections
}


def compare(prototxt: Path, side: int, folder: Path) -> tuple[dict[str, tuple], dict[str, float], set[str]]:
    """(name → (our shape, OpenCV's shape)) for blobs whose shapes differ, name → relative error for the rest, and
    the layers at or after a Sigmoid or Softmax."""
    weights = write_random_caffemodel(prototxt, folder / "w.caffemodel", seed=1, input_shape=(1, 3, side, side))
    net = load_caffe(prototxt, weights, input_shape=(1, 3, side, side))
    names = [step.layer for step in net.steps]
    # OpenCV registers a one-top layer under its top's name when the two differ (HED's score-dsn1 → score-dsn1-up).
    known = set(cv2.dnn.readNetFromCaffe(str(prototxt)).getLayerNames())
    theirs_name = {s.layer: s.layer if s.layer in known else s.tops[0] for s in net.steps}
    x = np.random.default_rng(0).uniform(-123, 150, size=(1, 3, side, side)).astype(np.float32)
    with torch.no_grad():
        ours = {name: blob.numpy() for name, blob in net(torch.from_numpy(x), outputs=names).items()}
    raw = opencv_outputs(prototxt, weights, x, [theirs_name[n] for n in names])
    theirs = {n: raw[theirs_name[n]] for n in names}
    shapes = {n: (ours[n].shape, theirs[n].shape) for n in names if ours[n].size != theirs[n].size}
    errors = {
        n: float(np.abs(ours[n].reshape(theirs[n].shape) - theirs[n]).max() / max(np.abs(theirs[n]).max(), 1e-30))
        for n in names if n not in shapes
    }
    return shapes, errors, _saturated(net)


def _saturated(net) -> set[str]:
    """Layers at or after a Sigmoid or Softmax (what reads its blob, e.g. SSD's Flatten of the class scores)."""
    layers, blobs = set(), set()
    for step in net.steps:
        if step.type in SATURATING or blobs & set(step.bottoms):
            layers.add(step.layer)
            blobs.update(step.tops)
    return layers


@pytest.mark.parametrize("file", sorted(NETS))
def test_every_converted_blob_matches_opencv(file, tmp_path):
    shapes, errors, saturated = compare(ZOO / file, NETS[file], tmp_path)
    assert not shapes, f"{file}: {len(shapes)} blobs differ in shape from OpenCV's, e.g. {next(iter(shapes.items()))}"
    for name, error in errors.items():
        tolerance = SATURATING_TOLERANCE if name in saturated else TOLERANCE
        assert error <= tolerance, f"{file}: {name} differs from OpenCV by {error:.2e} (tolerance {tolerance:g})"


def test_ssd_lists_its_detection_head_unconverted_and_names_the_layer():
    net = load_caffe(ZOO / "ssd300_vgg_voc0712_deploy.prototxt", meta=True)
    assert "conv4_3_norm" in net.blob_names and "fc7" in net.blob_names
    blocker = net.unconverted["conv4_3_norm_mbox_priorbox"]
    assert (blocker.layer, blocker.type) == ("conv4_3_norm_mbox_priorbox", "PriorBox")
    assert "detection_out" in net.listing and "detection_out" in net.unconverted
