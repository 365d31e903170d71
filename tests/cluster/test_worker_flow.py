"""A chunk dreamed with --flow in-process (no Ray): the frames of a sequential run, its flow computed beside the
dreamer as modes 0 and 2 do."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from deepdream_torch.cluster.plan import Chunk
from deepdream_torch.cluster.sources import FolderFrames
from deepdream_torch.cluster.worker import ChunkJob, ChunkWorker
from deepdream_torch.video import dream_loop
from deepdream_torch.video.blend import Blend
from deepdream_torch.video.dream_run import dream_frames
from deepdream_torch.video.options import FrameOptions
from tests.video.test_flow import DIS, _moving, _sharpen, _texture
from tests.video.video_clips import read_png, write_frames


def test_a_chunk_with_flow_after_a_finished_frame_dreams_the_sequential_frames_without_the_dreamer_computing_flow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_frames(tmp_path / "in", [_moving(_texture(0), t) for t in range(5)])
    blend = Blend(value=0.5)
    dream_frames(tmp_path / "in", tmp_path / "whole", _sharpen, ["x"], options=FrameOptions(blend=blend, image_type="png", flow=DIS))
    chunked = tmp_path / "chunked"
    chunked.mkdir()
    for n in (1, 2):  # the chunk before, written by another worker
        name = f"dream_frame_{n:08d}.png"
        shutil.copy(tmp_path / "whole" / name, chunked / name)

    def on_the_dreamers_thread(*args: object) -> None:
        raise AssertionError("the dream loop computed a flow: the reading thread should have")

    monkeypatch.setattr(dream_loop, "frame_motion", on_the_dreamers_thread)
    job = ChunkJob(
        FolderFrames(tmp_path / "in", "png"), chunked, ("x",), blend, "png", 1, warmup=8,
        flow=DIS,
    )  # fmt: skip
    report = ChunkWorker(lambda net: _sharpen, job).dream_chunk(Chunk(1, 3, 5), lambda: None)
    assert (report.dreamed, report.warmup) == (3, 0)
    for n in range(1, 6):
        name = f"dream_frame_{n:08d}.png"
        np.testing.assert_array_equal(read_png(chunked / name), read_png(tmp_path / "whole" / name))


def test_a_chunk_warming_up_carries_the_temporal_pull_as_a_sequential_run_from_its_first_frame(
    tmp_path: Path,
) -> None:
    from dataclasses import replace

    from deepdream_torch.video.frame import FrameRange
    from tests.video.test_temporal import pulled_dreamer

    write_frames(tmp_path / "in", [_moving(_texture(0), t) for t in range(6)])
    blend, flow = Blend(value=0.5), replace(DIS, temporal=0.4)
    dreamer, pulls = pulled_dreamer(tmp_path)
    # The sequence a chunk 4-6 warming up 2 frames dreams: 2 and 3 from the source, not written, then 4-6.
    dream_frames(tmp_path / "in", tmp_path / "sequential", dreamer, ["conv2"], options=FrameOptions(blend=blend, image_type="png", flow=flow, frames=FrameRange(2, 6)))  # fmt: skip
    pulls.clear()
    (tmp_path / "chunked").mkdir()
    job = ChunkJob(
        FolderFrames(tmp_path / "in", "png"), tmp_path / "chunked", ("conv2",), blend, "png", 1, warmup=2,
        flow=flow,
    )  # fmt: skip
    report = ChunkWorker(lambda net: dreamer, job).dream_chunk(Chunk(1, 4, 6), lambda: None)
    assert (report.dreamed, report.warmup) == (3, 2)
    assert pulls == [False, True, True, True, True]  # every frame after the warm-up's first is pulled
    for n in range(4, 7):
        name = f"dream_frame_{n:08d}.png"
        np.testing.assert_array_equal(read_png(tmp_path / "chunked" / name), read_png(tmp_path / "sequential" / name))
