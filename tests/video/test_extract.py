"""Mode 1: frames out of a video into a folder."""

import numpy as np
import pytest

from deepdream_torch.video import FrameRange, VideoError, extract_frames
from deepdream_torch.video.images import read_image
from tests.video.video_clips import cv2_frames


def test_every_frame_of_the_sample_numbered_from_one(shared, tmp_path):
    source = shared / "media/lions_small_b75.mkv"
    result = extract_frames(source, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"{n:08d}.jpg" for n in range(1, 113)] and result.frames == 112
    reference = cv2_frames(source)
    for n in (1, 56, 112):
        assert np.abs(read_image(tmp_path / f"{n:08d}.jpg").astype(int) - reference[n - 1]).mean() < 2


def test_png_frames_are_exact_and_a_range_keeps_the_videos_numbers(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=9)
    out = tmp_path / "frames"
    extract_frames(source, out, frames=FrameRange(4, 6), image_type="png")
    assert sorted(p.name for p in out.iterdir()) == ["00000004.png", "00000005.png", "00000006.png"]
    assert np.array_equal(read_image(out / "00000005.png"), cv2_frames(source)[4])


def test_a_missing_video(tmp_path):
    with pytest.raises(VideoError, match="does not exist"):
        extract_frames(tmp_path / "none.mkv", tmp_path / "frames")
