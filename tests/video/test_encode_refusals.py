"""A writer fed timestamps or a frame rate the encoder or the MP4 muxer refuses says so in one VideoError line
(never FFmpeg's exception), and closes the file with the frames it could write."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from deepdream_torch.video.encode import open_writer
from deepdream_torch.video.errors import VideoError

# (time base, nominal frame rate, timestamps of the frames; None: one frame after the other)
ODD = {
    "a jump past what MP4 stores": (Fraction(1, 90000), Fraction(25), [0, 1, 2**62, 2**63 - 10]),
    "a frame rate of one frame per 11 days": (Fraction(1, 90000), Fraction(1, 10**6), [None, None, None]),
}


@pytest.mark.parametrize("name", list(ODD))
def test_odd_timestamps_are_one_video_error(name: str, tmp_path: Path) -> None:
    time_base, frame_rate, timestamps = ODD[name]
    video = tmp_path / "odd.mp4"
    # The refusal may come at any write or when the encoder is flushed at the close.
    with pytest.raises(VideoError) as raised, open_writer(video, time_base=time_base, frame_rate=frame_rate) as writer:
        for pts in timestamps:
            writer.write(np.full((16, 16, 3), 128, np.uint8), pts=pts)
    message = str(raised.value)
    assert "\n" not in message and str(video) in message and "frames are kept" in message
