from pathlib import Path

import numpy as np
import pytest

from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.frame_files import dreamed_frames, finished_until, forget_dreamed, source_frames
from tests.video.video_clips import write_frames

BLACK = np.zeros((4, 4, 3), np.uint8)


def touch_dreamed(folder: Path, numbers, image_type="png"):
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        (folder / f"dream_frame_{n:08d}.{image_type}").write_bytes(b"x")


def test_source_frames_in_order_within_the_range(tmp_path):
    write_frames(tmp_path, [BLACK] * 6)
    (tmp_path / "notes.txt").write_text("not a frame")
    assert list(source_frames(tmp_path, "png", FrameRange())) == [1, 2, 3, 4, 5, 6]
    assert list(source_frames(tmp_path, "png", FrameRange(2, 4))) == [2, 3, 4]


def test_a_gap_names_the_missing_frame(tmp_path):
    write_frames(tmp_path, [BLACK] * 6)
    (tmp_path / "00000003.png").unlink()
    (tmp_path / "00000005.png").unlink()
    with pytest.raises(
        VideoError, match=r"has gaps: 00000003\.png is missing and 1 more; extract the frames again"
    ):
        source_frames(tmp_path, "png", FrameRange())


def test_a_range_starting_before_the_first_frame_is_a_gap(tmp_path):
    write_frames(tmp_path, [BLACK] * 3, first=4)
    with pytest.raises(VideoError, match=r"00000002\.png is missing"):
        source_frames(tmp_path, "png", FrameRange(2))


def test_missing_folder_and_file_instead_of_folder(tmp_path):
    with pytest.raises(VideoError, match="does not exist"):
        source_frames(tmp_path / "nowhere", "jpg", FrameRange())
    (tmp_path / "file").write_text("")
    with pytest.raises(VideoError, match="is a file, not a folder"):
        source_frames(tmp_path / "file", "jpg", FrameRange())


def test_frames_of_the_other_type_are_pointed_out(tmp_path):
    write_frames(tmp_path, [BLACK] * 2, image_type="png")
    with pytest.raises(VideoError, match="has png frames, not jpg: ask for image type png"):
        source_frames(tmp_path, "jpg", FrameRange())


def test_empty_folder(tmp_path):
    with pytest.raises(VideoError, match="has no jpg frames from 1"):
        source_frames(tmp_path, "jpg", FrameRange())


def test_dreamed_frames_with_a_gap(tmp_path):
    touch_dreamed(tmp_path, [1, 2, 4])
    with pytest.raises(VideoError, match=r"dream_frame_00000003\.png is missing; dream the missing frames"):
        dreamed_frames(tmp_path, "png", FrameRange())


def test_resume_point_is_the_end_of_the_unbroken_run_from_the_start(tmp_path):
    touch_dreamed(tmp_path, [1, 2, 3, 5, 6])
    assert finished_until(tmp_path, "png", FrameRange()) == 3
    assert finished_until(tmp_path, "png", FrameRange(5)) == 6
    assert finished_until(tmp_path, "png", FrameRange(5, 5)) == 5
    assert finished_until(tmp_path, "jpg", FrameRange()) == 0
    assert finished_until(tmp_path / "new", "png", FrameRange(4)) == 3


def test_restart_forgets_only_dreamed_frames_in_range(tmp_path):
    touch_dreamed(tmp_path, [1, 2, 3, 4])
    write_frames(tmp_path, [BLACK])
    assert forget_dreamed(tmp_path, "png", FrameRange(2, 3)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "00000001.png",
        "dream_frame_00000001.png",
        "dream_frame_00000004.png",
    ]
