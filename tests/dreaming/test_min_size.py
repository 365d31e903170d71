"""Blobs a dream cannot resize through (after a fully connected layer) are refused in one line at once; every
other blob gets the smallest picture side that reaches it, found on placeholder tensors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch

from deepdream_torch import load_caffe
from deepdream_torch.dreaming.dream import check_layer
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.min_size import min_side
from deepdream_torch.net.random_weights import write_random_caffemodel

# A classifier at the BVLC nets' 224x224: conv 3x3 (pad 1), 2x2 max pool, conv 3x3 (no pad), fully connected, softmax.
CLASSIFIER = """name: "classifier"
input: "data"
input_shape { dim: 1 dim: 3 dim: 224 dim: 224 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2" convolution_param { num_output: 2 kernel_size: 3 } }
layer { name: "fc" type: "InnerProduct" bottom: "conv2" top: "fc" inner_product_param { num_output: 5 } }
layer { name: "prob" type: "Softmax" bottom: "fc" top: "prob" }
"""


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> torch.nn.Module:
    folder: Path = tmp_path_factory.mktemp("classifier")
    (folder / "deploy.prototxt").write_text(CLASSIFIER)
    caffemodel = write_random_caffemodel(folder / "deploy.prototxt", folder / "classifier.caffemodel")
    return load_caffe(folder / "deploy.prototxt", caffemodel)


# (blob, its smallest side computed by hand, or None where it takes 224x224 only)
BLOBS = [
    ("data", 1),
    ("conv1", 1),  # 3x3 with pad 1 keeps the size
    # Caffe pools with ceil((H - 2) / 2) + 1 outputs: 1 pixel still makes one (a window hanging over the edge)
    ("pool1", 1),
    ("conv2", 5),  # a 3x3 kernel without pad needs pool1 3 wide: ceil((H - 2) / 2) >= 2 from H = 5
    ("fc", None),
    ("prob", None),
]


@pytest.mark.usefixtures("one_thread")
@pytest.mark.parametrize(("blob", "side"), BLOBS, ids=[b for b, _ in BLOBS])
def test_min_side_or_one_line_refusal_at_once(classifier: torch.nn.Module, blob: str, side: int | None) -> None:
    began = time.perf_counter()
    if side is not None:
        assert min_side(classifier, blob) == side
        check_layer(classifier, blob)
        return
    with pytest.raises(DreamError) as refused:
        check_layer(classifier, blob)  # what every mode calls before dreaming anything
    seconds = time.perf_counter() - began
    message = str(refused.value)
    assert f"'{blob}' needs exactly 224x224 input" in message
    assert "such as 'conv2'" in message  # the deepest blob that takes any size
    assert "\n" not in message
    assert seconds < 1.0, f"{seconds:.2f} s to refuse {blob}"


def test_min_side_allocates_nothing_for_the_probes(classifier: torch.nn.Module) -> None:
    """Probes run on meta tensors: a blob reached only from big pictures costs no memory and no time."""
    began = time.perf_counter()
    with pytest.raises(DreamError, match="needs exactly 224x224"):
        min_side(classifier, "prob")
    assert time.perf_counter() - began < 1.0


class _PlainNet(torch.nn.Module):
    """A net that is not a CaffeNet (no steps to walk on placeholders): only a real forward can tell."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 2, 5)

    def check_blob(self, name: str) -> None:
        assert name in ("data", "conv")

    def forward(self, x: torch.Tensor, outputs: list[str]) -> dict[str, torch.Tensor]:
        return {"data": x, "conv": self.conv(x)}


def test_min_side_of_a_net_that_is_not_a_caffe_net_is_found_by_real_forwards() -> None:
    assert min_side(_PlainNet(), "conv") == 5  # a 5x5 kernel without pad
