"""Saved pictures: JPEG quality, lossless PNG, and atomic writes that leave no half-written file."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deepdream_torch.picture.files import save_atomic


def noise(height=16, width=20):
    return np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_jpegs_are_written_at_quality_95(tmp_path):
    save_atomic(noise(), tmp_path / "ours.jpg")
    Image.fromarray(noise()).save(tmp_path / "q95.jpg", quality=95)
    Image.fromarray(noise()).save(tmp_path / "q90.jpg", quality=90)
    with Image.open(tmp_path / "ours.jpg") as ours, Image.open(tmp_path / "q95.jpg") as q95:
        assert ours.format == "JPEG"
        assert ours.quantization == q95.quantization
    with Image.open(tmp_path / "q90.jpg") as q90:
        assert q90.quantization != q95.quantization  # the tables do tell qualities apart


def test_pngs_are_lossless(tmp_path):
    path = save_atomic(noise(), tmp_path / "picture.png")
    with Image.open(path) as written:
        np.testing.assert_array_equal(np.asarray(written), noise())


def test_a_failed_write_leaves_the_old_file_and_no_half_written_one(tmp_path, monkeypatch):
    path = tmp_path / "picture.jpg"
    path.write_bytes(b"finished earlier")

    def write_half_then_fail(self, data):
        with open(self, "wb") as handle:
            handle.write(bytes(data)[:10])
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_bytes", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        save_atomic(noise(), path)
    assert path.read_bytes() == b"finished earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["picture.jpg"]
