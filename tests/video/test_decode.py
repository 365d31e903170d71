from fractions import Fraction

import av
import numpy as np
import pytest

from deepdream_torch.video.decode import decode_frames, probe
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.frame import FrameRange
from tests.video.video_clips import cv2_frames


def test_probe_of_the_original_tools_sample(shared):
    info = probe(shared / "media/lions_small_b75.mkv")
    assert (info.width, info.height, info.frame_rate, info.frame_count) == (320, 180, 25, 112)
    assert info.audio_codec == "vorbis"


def test_probe_of_a_generated_silent_clip(make_clip):
    info = probe(make_clip("c.mp4", frames=9, width=40, height=30, rate=10))
    assert (info.width, info.height, info.frame_rate, info.frame_count) == (40, 30, Fraction(10), 9)
    assert info.audio_codec is None


def test_decoded_frames_match_opencv_one_for_one(shared):
    video = shared / "media/lions_small_b75.mkv"
    reference = cv2_frames(video)
    ours = list(decode_frames(video))
    assert [f.number for f in ours] == list(range(1, len(reference) + 1))
    assert all(np.array_equal(f.image, r) for f, r in zip(ours, reference, strict=True))
    assert [f.pts for f in ours[:3]] == [0, 40, 80]  # ms: Matroska's time base


def test_a_frame_range_is_one_based_and_inclusive(shared):
    video = shared / "media/lions_small_b75.mkv"
    reference = cv2_frames(video)
    ours = list(decode_frames(video, FrameRange(5, 9)))
    assert [f.number for f in ours] == [5, 6, 7, 8, 9]
    assert np.array_equal(ours[0].image, reference[4])
    assert list(decode_frames(video, FrameRange(111)))[-1].number == 112


def test_missing_video(tmp_path):
    with pytest.raises(VideoError, match="does not exist: check the path"):
        probe(tmp_path / "nope.mp4")
    with pytest.raises(VideoError, match="is a folder"):
        probe(tmp_path)


def test_random_bytes_are_not_a_video(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoError, match=r"cannot read .*bad\.mp4 as a video .*complete video file"):
        list(decode_frames(bad))


def test_a_cut_header_is_a_clear_error(shared, tmp_path):
    cut = tmp_path / "cut.mkv"
    data = (shared / "media/lions_small_b75.mkv").read_bytes()
    cut.write_bytes(data[:3000] + bytes(200_000))
    with pytest.raises(VideoError, match="cannot read .* as a video"):
        probe(cut)


def test_an_audio_only_file_has_no_video(tmp_path):
    path = tmp_path / "tone.m4a"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=48_000, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
        frame.sample_rate = 48_000
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            container.mux(packet)
    with pytest.raises(VideoError, match="has no video stream"):
        probe(path)
