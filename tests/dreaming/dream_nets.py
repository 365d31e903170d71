"""Small converted nets with random weights, from the real prototxts in nets/ through load_caffe, and the setup
the tests that dream them share (torch on one thread, the net-space mean, noise pictures)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from deepdream_torch import load_caffe
from deepdream_torch.net.caffe_net import CaffeNet
from deepdream_torch.net.random_weights import write_random_caffemodel

NETS = Path(__file__).parent / "nets"
MEAN = torch.tensor([104.0, 117.0, 123.0]).view(1, 3, 1, 1)  # the ImageNet B, G, R mean over (N, 3, H, W)


def picture(height: int, width: int, seed: int = 0) -> np.ndarray:
    """An (H, W, 3) uint8 RGB picture of noise."""
    return np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)


def random_net(prototxt: Path, folder: Path, seed: int = 0) -> CaffeNet:
    caffemodel = write_random_caffemodel(prototxt, folder / f"{prototxt.stem}.caffemodel", seed=seed)
    return load_caffe(prototxt, caffemodel)


@pytest.fixture
def one_thread() -> Iterator[None]:
    """Torch on one thread while the test runs: the same arithmetic as a dream compared with it, and peaks and
    timings that other threads do not blur. The conftests import it; tests ask for it by name."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
