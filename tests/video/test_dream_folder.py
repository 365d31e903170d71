"""Mode 2: dream the frames of a folder."""

import numpy as np
import pytest
from PIL import Image

from deepdream_torch.video import FrameRange, VideoError, dream_frames, parse_blend
from deepdream_torch.video.options import FrameOptions
from tests.video.video_clips import Recorder, dreamed_numbers, read_png, write_frames


def flat(level: int, size=(6, 8)) -> np.ndarray:
    return np.full((*size, 3), level, np.uint8)


def test_fixed_blend_from_exact_frames(tmp_path):
    levels = [10, 200, 40, 90]
    write_frames(tmp_path / "in", [flat(v) for v in levels])
    dreamer = Recorder()
    result = dream_frames(tmp_path / "in", tmp_path / "out", dreamer, ["x"], options=FrameOptions(blend=parse_blend("0.7"), image_type="png"))
    # Inverting dreamer: dream = 255 - input. Input n = dream(n-1) * 0.3 + source(n) * 0.7, by hand:
    # 10; 245*0.3 + 200*0.7 = 213.5 -> 214 (rint of .5 goes to even); 41*0.3 + 40*0.7 = 40.3 -> 40;
    # 215*0.3 + 90*0.7 = 127.5 -> 128.
    assert [int(x[0, 0, 0]) for x in dreamer.inputs] == [10, 214, 40, 128]
    assert [int(read_png(p)[0, 0, 0]) for p in sorted((tmp_path / "out").iterdir())] == [245, 41, 215, 127]
    assert (result.frames, result.dreamed) == (4, 4)


def test_a_range_of_frames(tmp_path):
    write_frames(tmp_path / "in", [flat(v) for v in range(0, 100, 10)])
    dreamer = Recorder()
    dream_frames(tmp_path / "in", tmp_path / "out", dreamer, ["x"], options=FrameOptions(frames=FrameRange(3, 5), image_type="png"))
    assert [int(x[0, 0, 0]) for x in dreamer.inputs][:1] == [20]
    assert dreamed_numbers(tmp_path / "out") == [3, 4, 5]


def test_a_folder_with_gaps_is_refused_before_dreaming(tmp_path):
    write_frames(tmp_path / "in", [flat(1)] * 5)
    (tmp_path / "in" / "00000003.png").unlink()
    dreamer = Recorder()
    with pytest.raises(VideoError, match=r"has gaps: 00000003\.png is missing"):
        dream_frames(tmp_path / "in", tmp_path / "out", dreamer, ["x"], options=FrameOptions(image_type="png"))
    assert dreamer.calls == []


def test_a_missing_or_unreadable_folder(tmp_path):
    with pytest.raises(VideoError, match="does not exist"):
        dream_frames(tmp_path / "in", tmp_path / "out", Recorder(), ["x"])
    (tmp_path / "file").write_text("")
    with pytest.raises(VideoError, match="is a file, not a folder"):
        dream_frames(tmp_path / "file", tmp_path / "out", Recorder(), ["x"])


def test_an_unreadable_frame_is_named(tmp_path):
    write_frames(tmp_path / "in", [flat(1)] * 3)
    (tmp_path / "in" / "00000002.png").write_bytes(b"broken")
    with pytest.raises(VideoError, match=r"cannot read frame .*00000002\.png"):
        dream_frames(tmp_path / "in", tmp_path / "out", Recorder(), ["x"], options=FrameOptions(image_type="png"))
    assert dreamed_numbers(tmp_path / "out") == [1]  # the frame before it was dreamed and saved


def test_frames_of_different_sizes(tmp_path):
    write_frames(tmp_path / "in", [flat(1), flat(2, size=(6, 9))])
    with pytest.raises(VideoError, match="must have one size"):
        dream_frames(tmp_path / "in", tmp_path / "out", Recorder(), ["x"], options=FrameOptions(image_type="png"))


def test_jpeg_frames_by_default(tmp_path):
    (tmp_path / "in").mkdir()
    for n in (1, 2):
        Image.fromarray(flat(100)).save(tmp_path / "in" / f"{n:08d}.jpg", quality=95)
    dream_frames(tmp_path / "in", tmp_path / "out", Recorder(), ["x"])
    assert dreamed_numbers(tmp_path / "out", "jpg") == [1, 2]
