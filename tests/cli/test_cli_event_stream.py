"""``DEEPDREAM_EVENTS_FD``: the run's events as JSON lines on an inherited pipe, beside the console's output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from deepdream_torch.cli.event_stream import EVENTS_FD
from tests.cli.cli_helpers import decoded_frames, one_line_error, run


def test_a_video_run_writes_its_events_to_the_pipe_and_still_prints(
    googlenet: Path, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read, write = os.pipe()
    monkeypatch.setenv(EVENTS_FD, str(write))
    try:
        result = run("-e", str(clip), "-oct", "1", "-itr", "1", "-l", "inception_4c/output")
    finally:
        os.close(write)
    with os.fdopen(read, encoding="utf-8") as pipe:
        events = [json.loads(line) for line in pipe]
    assert result.exit_code == 0, result.output
    assert "frames: data/output_frames/my_video" in result.output  # the console's lines are unchanged
    kinds = [event["event"] for event in events if event["event"] not in ("note", "step")]
    frames = [event for event in events if event["event"] == "frame"]
    assert kinds == ["run", "started", *["frame"] * len(frames), "finished"]
    assert events[0]["frames_dir"] == "data/output_frames/my_video"
    dreamed = sorted(Path("data/output_frames/my_video").glob("dream_frame_*.jpg"))
    assert [Path(frame["path"]) for frame in frames] == dreamed
    assert len(decoded_frames(Path(events[-1]["video"]))) == len(dreamed) == events[-1]["frames"]


def test_a_descriptor_that_is_not_open_is_one_line(googlenet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.cli_helpers import write_picture

    picture = write_picture(Path("data/single_pictures/p.jpg"))
    read, write = os.pipe()
    os.close(read)
    os.close(write)  # a number that names nothing now
    monkeypatch.setenv(EVENTS_FD, str(write))
    assert EVENTS_FD in one_line_error(run("-sp", str(picture), "-oct", "1", "-itr", "1", "-l", "inception_4c/output"))
