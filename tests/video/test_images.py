import numpy as np
import pytest
from PIL import Image

from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.images import read_image, write_image


def test_png_round_trip_is_exact(tmp_path):
    image = np.random.default_rng(0).integers(0, 256, (9, 7, 3), dtype=np.uint8)
    write_image(tmp_path / "a.png", image)
    assert np.array_equal(read_image(tmp_path / "a.png"), image)
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]  # no temporary left behind


def test_jpeg_is_written_at_quality_95_or_better(tmp_path):
    y, x = np.mgrid[0:64, 0:64]
    image = np.stack([x * 4, y * 4, (x + y) * 2], axis=-1).astype(np.uint8)
    write_image(tmp_path / "a.jpg", image)
    with Image.open(tmp_path / "a.jpg") as picture:
        # libjpeg's quality-95 luminance table has a DC step of 2 (quality 90: 3, 75: 8).
        assert picture.quantization[0][0] <= 2
    assert np.abs(read_image(tmp_path / "a.jpg").astype(int) - image).mean() < 1.5


def test_corrupt_and_missing_frames_say_which_file(tmp_path):
    (tmp_path / "00000001.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(VideoError, match=r"cannot read frame .*00000001\.jpg"):
        read_image(tmp_path / "00000001.jpg")
    with pytest.raises(VideoError, match=r"frame .*00000002\.jpg is missing"):
        read_image(tmp_path / "00000002.jpg")


def test_unwritable_folder_is_a_video_error(tmp_path):
    with pytest.raises(VideoError, match="cannot write frame"):
        write_image(tmp_path / "missing" / "a.png", np.zeros((2, 2, 3), np.uint8))
