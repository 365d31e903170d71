"""Whatever stops the writer (timestamps the muxer cannot store, Ctrl-C after one frame, no frame at all, a full
disk), the file left behind opens and decodes, in PyAV and in OpenCV, or there is no file."""

from __future__ import annotations

import errno
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from deepdream_torch.video.encode import open_writer
from deepdream_torch.video.errors import VideoError
from tests.faults import tiny_disk
from tests.video.video_clips import clip_frame, cv2_frames

MS = Fraction(1, 1000)
MPEG = Fraction(1, 90000)
DAYS_100 = 100 * 24 * 3600


def pyav_frames(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(container.streams.video[0]))


def assert_plays(path: Path, frames: int) -> None:
    """``path`` holds ``frames`` frames that both PyAV and OpenCV decode."""
    assert path.is_file(), f"{path} was not left"
    assert pyav_frames(path) == frames
    assert len(cv2_frames(path)) == frames


def write(
    path: Path, time_base: Fraction, times: list[int | None], frame_rate: Fraction = Fraction(25)
) -> None:
    with open_writer(path, time_base=time_base, frame_rate=frame_rate) as writer:
        for index, pts in enumerate(times):
            writer.write(clip_frame(index, 32, 32), pts=pts)


# (time base, frame times, frames written before the refusal): gaps the MP4 muxer cannot store. Before the
# refusal came first, x264's B-frame reordering put the gap into the very first packet's pts-dts offset and the
# muxer refused every packet: the file had no frame ("IndexError: tuple index out of range" on opening it).
GAPS = {
    "100 days after frame 3, in ms": (MS, [0, 40, 80, DAYS_100 * 1000, DAYS_100 * 1000 + 40], 3),
    "2^33 ms (the gap of the issue)": (MS, [0, 40, 80, 120, 2**33, 2**33 + 40], 4),
    "a day after the first frame, at 90 kHz": (MPEG, [0, 24 * 3600 * 90000, 24 * 3600 * 90000 + 3600], 1),
    "past 64 bits": (MPEG, [0, 1, 2**62, 2**63 - 10], 2),
    "from far before zero to zero": (MS, [-(2**62), 0], 1),
}


@pytest.mark.parametrize("name", list(GAPS))
def test_a_gap_the_video_cannot_store_is_refused_and_the_frames_before_it_play(
    name: str, tmp_path: Path
) -> None:
    time_base, times, before = GAPS[name]
    video = tmp_path / "gap.partial.mp4"
    with pytest.raises(VideoError) as raised:
        write(video, time_base, times)
    message = str(raised.value)
    assert "\n" not in message and str(video) in message and "more than this video can store" in message
    assert_plays(video, before)


@pytest.mark.parametrize("suffix", [".mp4", ".mov", ".mkv"])
def test_gaps_of_an_hour_are_kept_in_every_container(suffix: str, tmp_path: Path) -> None:
    video = tmp_path / f"hour{suffix}"
    hour = 3600 * 1000
    write(video, MS, [0, 40, hour, hour + 40, 2 * hour])
    assert_plays(video, 5)
    with av.open(str(video)) as container:
        times = [float(frame.time) for frame in container.decode(video=0)]
    assert times == pytest.approx([0, 0.04, 3600, 3600.04, 7200], abs=0.01)


@pytest.mark.parametrize(
    "times",
    [[0, 40, 40, 40, 80], [0, 40, 20, 10, 80], [0, 80, 40, 120, 0]],
    ids=["duplicate", "backwards", "jumping back to zero"],
)
def test_duplicate_and_backward_timestamps_still_give_a_video_of_every_frame(
    times: list[int], tmp_path: Path
) -> None:
    video = tmp_path / "odd.mp4"
    write(video, MS, times)
    assert_plays(video, len(times))


def test_a_frame_rate_of_one_frame_in_11_days_keeps_the_first_frame_playable(tmp_path: Path) -> None:
    video = tmp_path / "slow.mp4"
    with pytest.raises(VideoError):
        write(video, MPEG, [None, None, None], frame_rate=Fraction(1, 10**6))
    assert_plays(video, 1)


def test_a_broken_nominal_rate_does_not_stop_frames_with_good_timestamps(tmp_path: Path) -> None:
    # What a source with a gap of days reports as its average rate; x264 refused the second frame at it.
    video = tmp_path / "rate.mp4"
    write(video, MPEG, [0, 3600, 7200, 10800], frame_rate=Fraction(1, 10**6))
    assert_plays(video, 4)


def test_a_stop_right_after_the_first_frame_leaves_one_playable_frame(tmp_path: Path) -> None:
    video = tmp_path / "stopped.mp4"
    with (
        pytest.raises(KeyboardInterrupt),
        open_writer(video, time_base=MS, frame_rate=Fraction(25)) as writer,
    ):
        writer.write(clip_frame(0, 32, 32), pts=0)
        raise KeyboardInterrupt
    assert_plays(video, 1)
    assert writer.frames == 1


def test_no_frame_leaves_no_file(tmp_path: Path) -> None:
    video = tmp_path / "empty.mp4"
    with open_writer(video, time_base=MS, frame_rate=Fraction(25)) as writer:
        pass
    assert not video.exists() and writer.frames == 0
    with pytest.raises(KeyboardInterrupt), open_writer(video, time_base=MS, frame_rate=Fraction(25)):
        raise KeyboardInterrupt
    assert not video.exists()


def test_a_disk_that_fills_leaves_a_playable_video_or_none(tmp_path: Path) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (240, 320, 3), dtype=np.uint8)
    with tiny_disk(tmp_path / "disk", "96k") as disk:
        video = disk / "full.partial.mp4"
        with (
            pytest.raises(OSError) as raised,
            open_writer(video, time_base=MS, frame_rate=Fraction(25), crf=0) as writer,
        ):
            for index in range(200):
                writer.write(np.roll(noise, index, axis=1), pts=40 * index)
        assert raised.value.errno == errno.ENOSPC
        if video.exists():
            assert_plays(video, writer.frames)
            assert writer.frames > 0
        else:
            assert writer.frames == 0
