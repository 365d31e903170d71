"""Zoom animations from a still: frames, video, resume, and the no-move case against plain repeated dreams."""

from __future__ import annotations

import itertools
import os
import signal
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from deepdream_torch.dreaming.dream import dream
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.pixels import as_rgb_array
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.picture.zoom import Camera
from deepdream_torch.runner import Dreaming, DreamRecipe, NoReporter, ZoomRun, run
from deepdream_torch.video.errors import VideoInterrupted
from deepdream_torch.video.partial import Encoder

CPU = Runtime(device="cpu")

FAST = DreamSettings(octaves=2, iterations=2, jitter=4)
pytestmark = pytest.mark.usefixtures("one_thread")


def dream_zoom(picture, net, frames_dir, video_out, count, layers, camera=None, *, settings, runtime,  # type: ignore[no-untyped-def]
               seed=0, guide=None, fps=24, image_type="jpg", restart=False, frame_settings=None, progress=None):
    """The zoom animation of these settings, run by the runner as the CLI runs it."""
    recipe = DreamRecipe(settings, runtime, guide=guide, seed=seed)
    job = ZoomRun(
        picture, Dreaming(net, tuple(layers), recipe), frames_dir, video_out, count, camera or Camera(),
        image_type=image_type,
        restart=restart, record=frame_settings, encoder=Encoder(frame_rate=Fraction(fps)),
    )  # fmt: skip
    return run(job, progress)


def decoded(video: Path) -> tuple[np.ndarray, float]:
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate)
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)]), rate


def frame_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("dream_frame_*.jpg"))


def test_zoom_writes_n_frames_and_a_video_of_that_many_frames_at_the_rate(tiny_net, picture_file, tmp_path):
    result = dream_zoom(
        picture_file, tiny_net, tmp_path / "frames", tmp_path / "zoom.mp4", 4, ["conv2", "conv1"],
        Camera(zoom=1.1, rotate=2.0, pan=(1.0, 0.0)), settings=FAST, runtime=CPU, fps=12,
    )  # fmt: skip
    assert result.frames == 4 and result.dreamed == 4
    files = frame_files(tmp_path / "frames")
    assert [f.name for f in files] == [f"dream_frame_{n:08d}.jpg" for n in range(1, 5)]
    video, rate = decoded(tmp_path / "zoom.mp4")
    assert video.shape == (4, 24, 32, 3)
    assert rate == 12
    pictures = [as_rgb_array(f).astype(int) for f in files]
    for before, after in itertools.pairwise(pictures):
        assert np.abs(after - before).mean() > 1.0  # each frame moved and dreamed on, not a copy


def test_zoom_of_one_without_rotation_or_pan_is_repeated_dreams(tiny_net, picture_file, tmp_path):
    dream_zoom(
        picture_file, tiny_net, tmp_path / "frames", tmp_path / "zoom.mp4", 3, ["conv2", "conv1"],
        Camera(zoom=1.0), settings=FAST, runtime=CPU, seed=5, image_type="png",
    )  # fmt: skip
    expected = as_rgb_array(picture_file)
    common = {"octaves": 2, "iterations": 2, "jitter": 4, "device": "cpu"}
    for number, layer in ((1, "conv2"), (2, "conv1"), (3, "conv2")):
        expected = dream(expected, tiny_net, layer, seed=5 + number, **common)
        got = as_rgb_array(tmp_path / "frames" / f"dream_frame_{number:08d}.png")
        # Same input, seed and layer on one CPU thread: the same arithmetic, so the same picture.
        np.testing.assert_array_equal(got, expected)


class StopAfter(NoReporter):
    """Sends this process SIGINT (Ctrl-C) once ``frames`` frames are finished."""

    def __init__(self, frames: int) -> None:
        self.frames = frames
        self.numbers: list[int] = []

    def frame_done(self, event) -> None:
        self.numbers.append(event.number)
        if event.number == self.frames:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_keeps_the_frames_and_a_rerun_dreams_only_the_rest(tiny_net, picture_file, tmp_path):
    args = (picture_file, tiny_net, tmp_path / "frames", tmp_path / "zoom.mp4", 5, ["conv2"], Camera(1.1))
    stopper = StopAfter(2)
    with pytest.raises(VideoInterrupted, match="2 of 5 frames") as stopped:
        dream_zoom(*args, settings=FAST, runtime=CPU, progress=stopper)
    assert stopped.value.done == 2
    assert len(frame_files(tmp_path / "frames")) == 2
    assert not (tmp_path / "zoom.mp4").exists()
    partial, _ = decoded(tmp_path / "zoom.partial.mp4")
    assert len(partial) == 2  # the frames so far play

    again = StopAfter(0)
    result = dream_zoom(*args, settings=FAST, runtime=CPU, progress=again)
    assert again.numbers == [3, 4, 5]
    assert (result.reused, result.dreamed) == (2, 3)
    video, _ = decoded(tmp_path / "zoom.mp4")
    assert len(video) == 5


def test_a_rerun_with_other_settings_is_refused_and_restart_replaces_the_frames(tiny_net, picture_file, tmp_path):
    from deepdream_torch.video.manifest import SettingsChanged

    args = (picture_file, tiny_net, tmp_path / "frames", tmp_path / "zoom.mp4", 2, ["conv2"])
    dream_zoom(*args, Camera(1.1), settings=FAST, runtime=CPU, frame_settings={"zoom": 1.1})
    with pytest.raises(SettingsChanged, match="zoom: 1.1 → 1.2"):
        dream_zoom(*args, Camera(1.2), settings=FAST, runtime=CPU, frame_settings={"zoom": 1.2})
    result = dream_zoom(*args, Camera(1.2), settings=FAST, runtime=CPU, frame_settings={"zoom": 1.2}, restart=True)
    assert (result.dreamed, result.reused) == (2, 0)


def test_a_guide_file_is_read_once_for_all_frames(tiny_net, picture_file, tmp_path, picture_reads):
    guide = tmp_path / "guide.png"
    guide.write_bytes(picture_file.read_bytes())
    dream_zoom(
        picture_file, tiny_net, tmp_path / "frames", tmp_path / "zoom.mp4", 3, ["conv2"], Camera(1.1),
        settings=FAST, guide=guide, runtime=CPU,
    )  # fmt: skip
    assert picture_reads.count(guide) == 1


@pytest.mark.parametrize("move", [{"zoom": float("inf")}, {"rotate": float("nan")}, {"pan": (0.0, float("-inf"))}])
def test_a_camera_move_that_is_not_finite_is_refused(move):
    with pytest.raises(DreamError, match="finite"):
        Camera(**move)
