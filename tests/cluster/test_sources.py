"""Workers read a chunk of a video by seeking: the same frames, numbered the same, as decoding from the start."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from deepdream_torch.cluster import sources
from deepdream_torch.cluster.sources import VideoFrames
from deepdream_torch.video.decode import decode_frames
from tests.video.test_decode_as_shown import write_turned_clip
from tests.video.video_clips import clip_frame, write_clip

FRAMES = 20


def write_keyframed_clip(path: Path, frames: int = FRAMES) -> Path:
    """H.264 with a key frame every 4 frames and B-frames (display order differs from decoding order)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.codec_context.time_base = Fraction(1, 25)
        stream.options = {"g": "4", "bf": "2", "crf": "10", "preset": "veryfast", "sc_threshold": "0"}
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(clip_frame(index, 64, 48), format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def key_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(packet.is_keyframe for packet in container.demux(video=0) if packet.size)


def assert_same(chunk: list, reference: list) -> None:
    assert [f.number for f in chunk] == [f.number for f in reference]
    assert [f.pts for f in chunk] == [f.pts for f in reference]
    for mine, theirs in zip(chunk, reference, strict=True):
        assert np.array_equal(mine.image, theirs.image), mine.number


def test_a_chunk_seeks_to_its_key_frame_and_reads_what_a_full_decode_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = write_keyframed_clip(tmp_path / "keyed.mp4")
    assert key_frames(video) >= 4
    reference = list(decode_frames(video))
    calls = []
    monkeypatch.setattr(sources, "decode_frames", lambda *args: calls.append(args) or iter(()))
    for start, end in [(2, 5), (5, 8), (6, 6), (9, 20), (14, 17), (18, 20)]:
        assert_same(list(VideoFrames(video).frames(start, end)), reference[start - 1 : end])
    assert calls == []  # every chunk came from a seek, none from decoding the start of the video


def test_a_variable_rate_mkv_chunk_matches_the_full_decode(tmp_path: Path) -> None:
    times = [0, 40, 100, 120, 200, 260, 280, 360, 400, 480, 500, 560]
    video = write_clip(tmp_path / "vfr.mkv", frames=len(times), pts_ms=times)
    reference = list(decode_frames(video))
    for start, end in [(1, 4), (5, 9), (10, 12)]:
        assert_same(list(VideoFrames(video).frames(start, end)), reference[start - 1 : end])


def test_a_chunk_of_a_portrait_phone_clip_comes_out_upright_as_the_full_decode(tmp_path: Path) -> None:
    video = write_turned_clip(tmp_path / "phone.mp4", -90)
    reference = list(decode_frames(video))
    assert reference[0].image.shape[0] > reference[0].image.shape[1]  # upright: taller than wide
    assert_same(list(VideoFrames(video).frames(3, 6)), reference[2:6])
