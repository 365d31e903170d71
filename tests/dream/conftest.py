"""Small converted nets with random weights (real prototxts in nets/, loaded through load_caffe)."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdream_torch import load_caffe
from deepdream_torch.net.random_weights import write_random_caffemodel

NETS = Path(__file__).parent / "nets"


def random_net(prototxt: Path, folder: Path, seed: int = 0):
    caffemodel = write_random_caffemodel(prototxt, folder / f"{prototxt.stem}.caffemodel", seed=seed)
    return load_caffe(prototxt, caffemodel)


@pytest.fixture
def tiny_net(tmp_path):
    """conv1 (3x3) -> relu -> pool1 (2x2/2) -> conv2 (3x3) -> relu; fresh per test (dreams move nets around)."""
    return random_net(NETS / "tiny.prototxt", tmp_path)


@pytest.fixture
def one_conv_net(tmp_path):
    return random_net(NETS / "one_conv.prototxt", tmp_path, seed=3)


@pytest.fixture(scope="session")
def googlenet(shared, tmp_path_factory):
    """The real GoogLeNet prototxt with random weights (timing and sizes only; its dreams mean nothing)."""
    return random_net(
        shared / "models" / "bvlc_googlenet" / "deploy.prototxt", tmp_path_factory.mktemp("googlenet")
    )
