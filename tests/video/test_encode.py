from fractions import Fraction

import numpy as np
import pytest

from deepdream_torch.video.decode import decode_frames, probe
from deepdream_torch.video.encode import open_writer
from deepdream_torch.video.errors import VideoError
from tests.video.video_clips import clip_frame, cv2_frames, cv2_times_ms, psnr


def copy_video(source, out, **options):
    info = probe(source)
    with open_writer(out, time_base=info.time_base, frame_rate=info.frame_rate, **options) as writer:
        for frame in decode_frames(source):
            writer.write(frame.image, frame.pts, frame.duration)
    return writer


def test_variable_frame_rate_timestamps_are_kept(make_clip, tmp_path):
    times = [0, 40, 80, 200, 240, 260, 300, 420]
    source = make_clip("vfr.mkv", pts_ms=times)
    out = tmp_path / "out.mp4"
    copy_video(source, out)
    assert cv2_times_ms(out) == pytest.approx(times, abs=1)


def test_odd_sizes_are_padded_by_repeating_the_edge(make_clip, tmp_path):
    source = make_clip("odd.mkv", width=65, height=49, frames=3)
    out = tmp_path / "out.mp4"
    copy_video(source, out, crf=12)
    frames = cv2_frames(out)
    assert frames[0].shape == (50, 66, 3)
    picture = frames[1].astype(int)
    assert np.abs(picture[:, 65] - picture[:, 64]).mean() < 3
    assert np.abs(picture[49] - picture[48]).mean() < 3
    assert psnr(frames[1][:49, :65], clip_frame(1, 65, 49)) > 35


def test_frames_without_timestamps_follow_at_the_frame_rate(tmp_path):
    out = tmp_path / "out.mp4"
    with open_writer(out, time_base=Fraction(1, 10), frame_rate=Fraction(10)) as writer:
        for index in range(5):
            writer.write(clip_frame(index, 32, 32))
    assert writer.duration == pytest.approx(0.5)
    assert cv2_times_ms(out) == pytest.approx([0, 100, 200, 300, 400], abs=1)


def test_a_frame_of_another_size_is_refused(tmp_path):
    timing = {"time_base": Fraction(1, 25), "frame_rate": Fraction(25)}
    with pytest.raises(VideoError, match="one size"), open_writer(tmp_path / "out.mp4", **timing) as writer:
        writer.write(clip_frame(0, 32, 32))
        writer.write(clip_frame(1, 34, 32))


def test_crf_sets_the_quality(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=4)
    good, poor = tmp_path / "good.mp4", tmp_path / "poor.mp4"
    copy_video(source, good, crf=5)
    copy_video(source, poor, crf=45)
    reference = cv2_frames(source)[2]
    assert psnr(cv2_frames(good)[2], reference) > psnr(cv2_frames(poor)[2], reference) + 10
