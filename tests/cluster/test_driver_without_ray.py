"""The driver without Ray: a stop once every frame is on disk completes the run; inputs (a guide picture in the
frames folder, the source video as the output) are refused before anything is deleted or dreamed."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest

from deepdream_torch.cluster import driver
from deepdream_torch.cluster.plan import Chunk
from deepdream_torch.cluster.runtime import Sizing
from deepdream_torch.cluster.worker import ChunkJob, ChunkReport
from deepdream_torch.runner import Dreaming, VideoRun
from deepdream_torch.safe_paths import protect
from deepdream_torch.video.blend import Blend
from deepdream_torch.video.checkpoint import FramesCheckpoint
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.paths import dream_frame_path


class InstantRay:
    """Just enough of Ray for the driver's loop: every chunk is done when asked for."""

    def put(self, value: object) -> object:
        return value

    def wait(self, references: list, num_returns: int, timeout: float) -> tuple[list, list]:
        return references[:num_returns], references[num_returns:]

    def get(self, reference: object) -> object:
        return reference

    def cancel(self, reference: object) -> None:
        pass

    def kill(self, worker: object, no_restart: bool) -> None:
        pass


def test_ctrl_c_after_the_last_frame_is_written_ends_the_run_as_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = ChunkJob(None, tmp_path, ("x",), Blend(value=1.0), "png", 1)  # type: ignore[arg-type]

    def dream_chunk(chunk: Chunk, load_net: object) -> ChunkReport:
        for number in chunk.frames:
            dream_frame_path(tmp_path, number, "png").write_bytes(b"")
        return ChunkReport(chunk, len(chunk.frames), 0, 0, 0.0, 0)

    @contextmanager
    def pressed_already() -> Iterator[threading.Event]:
        stop = threading.Event()
        stop.set()  # Ctrl-C as the last chunk finished
        yield stop

    worker = SimpleNamespace(dream_chunk=SimpleNamespace(remote=dream_chunk))
    monkeypatch.setattr(driver, "start_workers", lambda *args: [worker])
    monkeypatch.setattr(driver, "stop_on_signals", pressed_already)
    done: set[int] = set()
    run = driver.ChunkedRun(job, None, None, FramesCheckpoint(tmp_path, "png", FrameRange(1, 3), 3), done)  # type: ignore[arg-type]
    reports = driver._run(InstantRay(), deque([Chunk(0, 1, 3)]), run, Sizing(1, 1, 1.0, 0.0))  # type: ignore[arg-type]
    assert done == {1, 2, 3} and [report.dreamed for report in reports] == [3]


def test_a_protected_input_named_like_a_frame_in_the_frames_folder_is_refused_before_anything_is_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    guide = dream_frame_path(tmp_path, 1, "png")
    guide.write_bytes(b"guide")
    job = ChunkJob(None, tmp_path, ("x",), Blend(value=1.0), "png", 1)  # type: ignore[arg-type]
    monkeypatch.setattr(driver, "connected", lambda address: pytest.fail("Ray was started"))
    with protect({"guide picture": guide}), pytest.raises(VideoError, match="refusing to write into"):
        # The chunked run opens its frames folder so (cluster/chunked.py), before the driver touches it.
        checkpoint = FramesCheckpoint.open(tmp_path, "png", FrameRange(1, 2), 2, restart=True)
        driver.dream_chunked(job, None, None, checkpoint)  # type: ignore[arg-type]
    assert guide.read_bytes() == b"guide"


def test_ray_mode_0_refuses_to_overwrite_its_source_before_dreaming_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deepdream_torch.cluster import chunked
    from tests.video.video_clips import write_clip

    clip = write_clip(tmp_path / "clip.mp4", frames=3)
    monkeypatch.setattr(chunked, "dream_chunked", lambda *args, **kwargs: pytest.fail("frames were dreamed"))
    with pytest.raises(VideoError, match="input video"):
        job = VideoRun(0, clip, tmp_path / "frames", clip, Dreaming(None, ("x",), None))  # type: ignore[arg-type]
        chunked.dream_video_on_ray(job)
