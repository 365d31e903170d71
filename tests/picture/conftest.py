"""Fixtures: the dream tests' tiny prototxt with random weights, torch on one thread, a picture file, and the
picture files a test read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deepdream_torch.dreaming import pixels
from tests.dreaming.dream_nets import NETS, one_thread, random_net  # noqa: F401 (one_thread: a fixture)


@pytest.fixture
def tiny_net(tmp_path):
    """conv1 (3x3) -> relu -> pool1 (2x2/2) -> conv2 (3x3) -> relu, random weights."""
    return random_net(NETS / "tiny.prototxt", tmp_path)


@pytest.fixture
def picture_file(tmp_path) -> Path:
    """A 24x32 PNG of noise called ``cat.png``."""
    path = tmp_path / "cat.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(path)
    return path


@pytest.fixture
def picture_reads(monkeypatch) -> list[Path]:
    """The picture files decoded while the test runs, in order (one entry per read)."""
    reads: list[Path] = []
    read_picture = pixels.read_picture
    monkeypatch.setattr(pixels, "read_picture", lambda path: reads.append(path) or read_picture(path))
    return reads
