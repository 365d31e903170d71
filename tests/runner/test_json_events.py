"""The JSON-lines reporter a child process writes for its parent (the studio): a tiny run's events decoded back,
checked against the files on disk and an independent decoder; a cancel's line; a reader gone mid-run."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from deepdream_torch.runner import Cancel, VideoRun, run
from deepdream_torch.runner.json_events import JsonEvents, Tee
from deepdream_torch.video.errors import VideoInterrupted
from tests.runner.test_run import CANCEL_AFTER, FRAMES, Recording, job  # noqa: F401 (job: a fixture)
from tests.video.video_clips import cv2_frames

pytestmark = pytest.mark.usefixtures("one_thread")


def decoded(stream: io.StringIO, details: bool = False) -> list[dict]:
    """Every line as JSON; without ``details``, the notes and the dream's steps left out."""
    text = stream.getvalue()
    assert text.endswith("\n")
    events = [json.loads(line) for line in text.splitlines()]  # one whole JSON object per line
    return events if details else [event for event in events if event["event"] not in ("note", "step")]


def test_a_run_writes_each_event_as_one_json_line(job: VideoRun) -> None:  # noqa: F811
    stream = io.StringIO()
    run(job, JsonEvents(stream, job))
    events = decoded(stream)
    assert [event["event"] for event in events] == ["run", "started", *["frame"] * FRAMES, "finished"]
    assert events[0] == {"event": "run", "kind": "video", "mode": 0, "frames_dir": str(job.frames_dir),
                         "video": str(job.video_out), "image_type": "png"}
    assert events[1] == {"event": "started", "what": "dreaming", "total": FRAMES, "done": 0}
    frames = events[2:-1]
    assert [frame["number"] for frame in frames] == list(range(1, FRAMES + 1))
    assert [frame["done"] for frame in frames] == list(range(1, FRAMES + 1))
    assert {frame["total"] for frame in frames} == {FRAMES}
    assert all(frame["seconds"] > 0 and frame["layer"] == "conv2" for frame in frames)
    for frame in frames:  # the frame named is the one on disk
        assert frame["path"] == str(job.frames_dir / f"dream_frame_{frame['number']:08d}.png")
        assert Path(frame["path"]).is_file()
    finished = events[-1]
    assert finished["frames"] == FRAMES and finished["frames_dir"] == str(job.frames_dir)
    assert finished["video"] == str(job.video_out)
    assert len(cv2_frames(Path(finished["video"]))) == FRAMES
    steps = [event for event in decoded(stream, details=True) if event["event"] == "step"]
    # octaves 2 x iterations 3 per frame: the dream's steps come through too
    assert len(steps) == FRAMES * 6 and steps[-1] | {"event": 0} == {
        "event": 0, "octave": 2, "octaves": 2, "iteration": 3, "iterations": 3, "done": 6, "total": 6}


def test_a_cancelled_run_says_where_it_stopped(job: VideoRun) -> None:  # noqa: F811
    stream, cancel = io.StringIO(), Cancel()
    recording = Recording(cancel, cancel_after=CANCEL_AFTER)
    with pytest.raises(VideoInterrupted):
        run(job, Tee(recording, JsonEvents(stream, job)), cancel)
    events = decoded(stream)
    assert [event["event"] for event in events] == ["run", "started", *["frame"] * CANCEL_AFTER, "interrupted"]
    stopped = events[-1]
    assert stopped["done"] == CANCEL_AFTER == len(list(job.frames_dir.glob("dream_frame_*.png")))
    assert stopped["partial"] == str(job.video_out.with_name("whole.partial.mp4"))
    assert "run the same command again" in stopped["message"]
    assert recording.kinds() == ["started", *["frame"] * CANCEL_AFTER, "interrupted"]  # the tee's other reporter


class GoneReader(io.StringIO):
    """A pipe whose reader died after ``lines`` lines (a killed server)."""

    def __init__(self, lines: int) -> None:
        super().__init__()
        self.left = lines

    def write(self, text: str) -> int:
        if self.left == 0:
            raise BrokenPipeError(32, "Broken pipe")
        self.left -= 1
        return super().write(text)


def test_a_reader_gone_ends_the_writing_not_the_run(job: VideoRun, tmp_path: Path) -> None:  # noqa: F811
    job = replace(job, frames_dir=tmp_path / "unread", video_out=tmp_path / "unread.mp4")
    stream = GoneReader(lines=3)
    result = run(job, JsonEvents(stream, job))
    assert result.frames == FRAMES and len(cv2_frames(tmp_path / "unread.mp4")) == FRAMES
    assert len(decoded(stream, details=True)) == 3
