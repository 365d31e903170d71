"""Mode 3: dreamed frames into a video."""

from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

from deepdream_torch.video import VideoError, assemble_video
from deepdream_torch.video.partial import Encoder
from tests.video.video_clips import audio_seconds, clip_frame, cv2_frames, cv2_times_ms, psnr


def write_dreamed(folder, count, first=1, size=(48, 64), image_type="png"):
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(first, first + count):
        image = clip_frame(n, size[1], size[0])
        Image.fromarray(image).save(folder / f"dream_frame_{n:08d}.{image_type}")


def test_without_a_source_frames_follow_at_the_frame_rate_silently(tmp_path):
    write_dreamed(tmp_path / "f", 6)
    out = tmp_path / "v" / "o.mp4"
    result = assemble_video(tmp_path / "f", out, encoder=Encoder(12, Fraction(10)), image_type="png")
    assert result.video == out and result.audio == "none"
    assert cv2_times_ms(out) == pytest.approx([0, 100, 200, 300, 400, 500], abs=1)
    assert audio_seconds(out) is None
    assert psnr(cv2_frames(out)[3], clip_frame(4, 64, 48)) > 35
    assert not (tmp_path / "v" / "o.partial.mp4").exists()


def test_with_the_source_its_frame_times_and_audio_are_kept(make_clip, tmp_path):
    times = [0, 40, 80, 200, 240, 260, 300, 420]
    source = make_clip("vfr.mkv", pts_ms=times, audio="aac")
    write_dreamed(tmp_path / "f", 6, first=3)
    out = tmp_path / "o.mp4"
    result = assemble_video(tmp_path / "f", out, source=source, image_type="png")
    assert cv2_times_ms(out) == pytest.approx([t - 80 for t in times[2:]], abs=1)
    assert audio_seconds(out) == pytest.approx(0.38, abs=0.04)
    assert result.audio == "aac, copied"


def test_gaps_and_missing_frames_are_refused(tmp_path):
    write_dreamed(tmp_path / "f", 4)
    (tmp_path / "f" / "dream_frame_00000002.png").unlink()
    with pytest.raises(VideoError, match=r"dream_frame_00000002\.png is missing"):
        assemble_video(tmp_path / "f", tmp_path / "o.mp4", image_type="png")
    with pytest.raises(VideoError, match="does not exist"):
        assemble_video(tmp_path / "none", tmp_path / "o.mp4")
    with pytest.raises(VideoError, match="has png frames, not jpg"):
        assemble_video(tmp_path / "f", tmp_path / "o.mp4")


def test_frames_past_the_end_of_the_source(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=3)
    write_dreamed(tmp_path / "f", 5)
    with pytest.raises(VideoError, match="has frame 5 but .* has 3 frames"):
        assemble_video(tmp_path / "f", tmp_path / "o.mp4", source=source, image_type="png")


def test_the_source_is_never_overwritten(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=3)
    before = source.read_bytes()
    write_dreamed(tmp_path / "f", 3)
    with pytest.raises(VideoError, match="is the input video"):
        assemble_video(tmp_path / "f", source, source=source, image_type="png")
    assert source.read_bytes() == before
    assert np.array_equal(cv2_frames(source)[0].shape, (48, 64, 3))


def test_the_finished_video_is_moved_into_place_while_its_lock_is_held(tmp_path, monkeypatch):
    # Released before the move, another run could open (empty) the partial video that is then given the final
    # name half written.
    from deepdream_torch.video import partial
    from deepdream_torch.video.lock import lock_path

    write_dreamed(tmp_path / "f", 3)
    out, held = tmp_path / "o.mp4", []
    move = partial.os.replace
    monkeypatch.setattr(
        partial.os, "replace", lambda src, dst: held.append(lock_path(src).exists()) or move(src, dst)
    )
    assemble_video(tmp_path / "f", out, encoder=Encoder(frame_rate=Fraction(10)), image_type="png")
    assert held == [True] and out.exists()
