"""Fixtures: the dream tests' tiny prototxt with random weights, and a picture file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deepdream_torch import load_caffe
from deepdream_torch.net.random_weights import write_random_caffemodel

TINY = Path(__file__).parents[1] / "dreaming" / "nets" / "tiny.prototxt"


@pytest.fixture
def tiny_net(tmp_path):
    """conv1 (3x3) -> relu -> pool1 (2x2/2) -> conv2 (3x3) -> relu, random weights."""
    return load_caffe(TINY, write_random_caffemodel(TINY, tmp_path / "tiny.caffemodel"))


@pytest.fixture
def picture_file(tmp_path) -> Path:
    """A 24x32 PNG of noise called ``cat.png``."""
    path = tmp_path / "cat.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(path)
    return path
