"""Without --layers every model dreams a sensible blob: GoogLeNet its customloop, a zoo model the manifest's
suggestion, any other net a block two thirds of the way up, read from its structure."""

from __future__ import annotations

import numpy as np
import pytest

from deepdream_torch import dream, load_caffe
from deepdream_torch.dreaming.layers import CUSTOMLOOP, default_layers, mid_depth_blob
from deepdream_torch.weights.manifest import zoo_entry

# Counted by hand from the prototxts: AlexNet-style nets have no Concat/Eltwise blocks, so their five
# convolutions count and int(5 * 2/3) = 3 is conv4; open_nsfw's ResNet-50 has 3 + 4 + 6 + 3 = 16 residual sums,
# int(16 * 2/3) = 10 is the fourth block (block3) of the third stage (stage2), a 14x14 blob at 224x224.
EXPECTED = {
    "bvlc_alexnet": "conv4",
    "bvlc_reference_caffenet": "conv4",
    "bvlc_reference_rcnn_ilsvrc13": "conv4",
    "finetune_flickr_style": "conv4",
    "bvlc_googlenet": "inception_4e/output",  # 9 inception outputs: int(9 * 2/3) = 6, the seventh
    "open_nsfw": "eltwise_stage2_block3",
}


@pytest.mark.parametrize("model", sorted(EXPECTED))
def test_mid_depth_blob_of_every_shared_prototxt(shared, model):
    net = load_caffe(shared / "models" / model / "deploy.prototxt")
    assert mid_depth_blob(net) == EXPECTED[model]
    assert net.blob_shapes[EXPECTED[model]][2] >= 13  # a feature map, not a vector


def test_googlenet_keeps_customloop_and_zoo_models_take_the_manifest_suggestion(shared):
    googlenet = load_caffe(shared / "models" / "bvlc_googlenet" / "deploy.prototxt")
    assert default_layers(googlenet, zoo_entry("bvlc_googlenet").dream_layers)[0] == CUSTOMLOOP
    alexnet = load_caffe(shared / "models" / "bvlc_alexnet" / "deploy.prototxt")
    layers, why = default_layers(alexnet, zoo_entry("bvlc_alexnet").dream_layers)
    assert layers == ("conv5",) and "zoo" in why
    assert default_layers(alexnet, ())[0] == ("conv4",)  # not in the zoo: the structure decides


@pytest.mark.usefixtures("one_thread")
def test_open_nsfw_dreams_its_default_blob(shared):
    folder = shared / "models" / "open_nsfw"
    net = load_caffe(folder / "deploy.prototxt", folder / "resnet_50_1by2_nsfw.caffemodel")
    (layer,), _ = default_layers(net)
    picture = np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8)
    dreamed = dream(picture, net, layer, octaves=1, iterations=2, jitter=4, device="cpu", seed=0)
    assert dreamed.shape == picture.shape
    assert np.abs(dreamed.astype(int) - picture).mean() > 1  # the trained net changed the picture
