"""Modes 1 then 2 then 3 make what mode 0 makes in one go."""

import numpy as np

from deepdream_torch.video import assemble_video, dream_frames, dream_video, extract_frames, parse_blend
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.partial import Encoder
from tests.video.video_clips import Recorder, audio_seconds, cv2_frames, cv2_times_ms, psnr, read_png


def test_modes_1_2_3_equal_mode_0(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=12, audio="aac")
    settings = {"blend": parse_blend("loop"), "image_type": "png"}
    quality = 12  # high enough that two encodes of the same frames differ by little (see below)
    streamed = tmp_path / "streamed.mp4"
    dream_video(source, tmp_path / "out0", streamed, Recorder(), ["a", "b"], options=FrameOptions(encoder=Encoder(crf=quality), **settings))

    extract_frames(source, tmp_path / "in", image_type="png")
    dream_frames(tmp_path / "in", tmp_path / "out", Recorder(), ["a", "b"], options=FrameOptions(**settings))
    assembled = tmp_path / "assembled.mp4"
    assemble_video(tmp_path / "out", assembled, source=source, image_type="png", encoder=Encoder(crf=quality))

    for n in range(1, 13):
        name = f"dream_frame_{n:08d}.png"
        assert np.array_equal(read_png(tmp_path / "out0" / name), read_png(tmp_path / "out" / name)), name
    # Same frames in, same video out, up to x264 itself: its macroblock-tree rate control does not repeat bit
    # for bit on frames this small (measured: up to 5 different streams in 8 encodes of one 64x48 clip; at
    # crf 12 those differ by 46 dB PSNR or better).
    pairs = list(zip(cv2_frames(streamed), cv2_frames(assembled), strict=True))
    assert len(pairs) == 12 and min(psnr(a, b) for a, b in pairs) > 42
    assert cv2_times_ms(streamed) == cv2_times_ms(assembled)
    assert audio_seconds(streamed) == audio_seconds(assembled)
