"""The runner driven as a front end drives it: a recording reporter, a programmatic cancel in the middle of a
mode-0 video run, then the same run value again, which resumes and ends with the frames of an uninterrupted run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.runner import Cancel, Dreaming, DreamRecipe, Started, Stopped, VideoRun, run
from deepdream_torch.video.blend import Blend
from deepdream_torch.video.errors import VideoInterrupted
from deepdream_torch.video.manifest import read_record
from tests.dreaming.dream_nets import NETS, random_net
from tests.video.video_clips import cv2_frames, read_png, write_clip

pytestmark = pytest.mark.usefixtures("one_thread")

FRAMES = 6
CANCEL_AFTER = 2


class Recording:
    """A reporter that keeps every event, and cancels the run once ``cancel_after`` frames are done."""

    def __init__(self, cancel: Cancel | None = None, cancel_after: int = 0) -> None:
        self.events: list[tuple[str, Any]] = []
        self.cancel, self.cancel_after = cancel, cancel_after

    def started(self, event: Started) -> None:
        self.events.append(("started", event))

    def frame_done(self, event: Any) -> None:
        self.events.append(("frame", event))
        if self.cancel is not None and event.done == self.cancel_after:
            self.cancel.cancel()  # as a web page's stop button would, between two frames

    def note(self, level: int, message: str) -> None:
        self.events.append(("note", message))

    def step(self, step: Any) -> None:
        pass

    def finished(self, result: Any) -> None:
        self.events.append(("finished", result))

    def interrupted(self, event: Stopped) -> None:
        self.events.append(("interrupted", event))

    def of(self, kind: str) -> list[Any]:
        return [event for seen, event in self.events if seen == kind]

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events if kind != "note"]

    def frames(self) -> list[int]:
        return [event.number for kind, event in self.events if kind == "frame"]


@pytest.fixture
def job(tmp_path: Path) -> VideoRun:
    net = random_net(NETS / "tiny.prototxt", tmp_path)
    recipe = DreamRecipe(DreamSettings(octaves=2, iterations=3, jitter=4, step_size=3.0), Runtime(device="cpu"))
    clip = write_clip(tmp_path / "clip.mp4", frames=FRAMES)
    return VideoRun(
        mode=0, source=clip, frames_dir=tmp_path / "whole", video_out=tmp_path / "whole.mp4",
        dreaming=Dreaming(net, ("conv2",), recipe), blend=Blend(value=0.5), image_type="png",
        record={"what": "a test dream"},
    )  # fmt: skip


def dreamed(folder: Path) -> list[np.ndarray]:
    return [read_png(folder / f"dream_frame_{n:08d}.png") for n in range(1, FRAMES + 1)]


def test_a_cancelled_run_resumes_to_the_frames_of_an_uninterrupted_one(job: VideoRun, tmp_path: Path) -> None:
    whole = Recording()
    run(job, whole)
    assert whole.kinds() == ["started", *["frame"] * FRAMES, "finished"]
    assert whole.frames() == list(range(1, FRAMES + 1))

    parts = replace(job, frames_dir=tmp_path / "parts", video_out=tmp_path / "parts.mp4")
    cancel = Cancel()
    first = Recording(cancel, cancel_after=CANCEL_AFTER)
    with pytest.raises(VideoInterrupted) as stopped:
        run(parts, first, cancel)
    # The frame in flight when the cancel came is finished and saved; nothing after it is dreamed.
    assert first.kinds() == ["started", *["frame"] * CANCEL_AFTER, "interrupted"]
    assert first.of("started") == [Started("dreaming", FRAMES, 0)]
    said = first.events[-1][1]
    assert said.done == CANCEL_AFTER == stopped.value.done
    assert said.partial == tmp_path / "parts.partial.mp4" and said.partial.is_file()
    assert "run the same command again" in said.message
    record = read_record(parts.frames_dir)
    assert record is not None and (record.done, record.complete) == (CANCEL_AFTER, False)
    assert len(cv2_frames(said.partial)) == CANCEL_AFTER  # the partial video plays the frames saved

    second = Recording()
    result = run(parts, second)
    assert second.kinds() == ["started", *["frame"] * (FRAMES - CANCEL_AFTER), "finished"]
    assert second.of("started") == [Started("dreaming", FRAMES, CANCEL_AFTER)]
    assert f"resuming after frame {CANCEL_AFTER}" in second.of("note")[0]
    assert second.frames() == list(range(CANCEL_AFTER + 1, FRAMES + 1))
    assert (result.dreamed, result.reused) == (FRAMES - CANCEL_AFTER, CANCEL_AFTER)
    assert second.events[-1][1] == result
    for resumed, uninterrupted in zip(dreamed(parts.frames_dir), dreamed(job.frames_dir), strict=True):
        np.testing.assert_array_equal(resumed, uninterrupted)
    assert len(cv2_frames(tmp_path / "parts.mp4")) == FRAMES
    assert not (tmp_path / "parts.partial.mp4").exists()


def test_a_run_cancelled_before_it_starts_dreams_nothing(job: VideoRun) -> None:
    cancel = Cancel()
    cancel.cancel()
    seen = Recording()
    with pytest.raises(VideoInterrupted) as stopped:
        run(job, seen, cancel)
    assert stopped.value.done == 0 and seen.frames() == []
    assert seen.kinds()[-1] == "interrupted"
    assert not job.video_out.exists() and not (job.video_out.parent / "whole.partial.mp4").exists()
