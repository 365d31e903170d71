"""Chunked runs on a local Ray instance: same video as a sequential run, a killed worker, Ctrl-C and resume."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from deepdream_torch.cluster import RayPlan, dream_frames_on_ray, dream_video_on_ray
from deepdream_torch.runner import Dreaming, VideoRun
from deepdream_torch.video.blend import parse_blend
from deepdream_torch.video.errors import VideoInterrupted
from deepdream_torch.video.images import read_image
from deepdream_torch.weights.checksum import write_sidecar
from tests.cli.cli_helpers import BVLC_GOOGLENET_SHA1, GOOGLENET_LIKE, isolate, run, write_model
from tests.cluster.cluster_helpers import TracedRecipe, dreamed_counts, worker_threads
from tests.video.video_clips import (
    audio_seconds,
    cv2_frames,
    cv2_times_ms,
    dreamed_numbers,
    write_clip,
    write_frames,
)

CLIP_FRAMES = 10
# Two threads each, more than their CPU share: Ray alone would give each worker one (OMP_NUM_THREADS).
TWO_WORKERS = RayPlan(workers=2, threads=2, chunk_frames=4)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """data/ and models in a folder of the test's own; a stand-in bvlc_googlenet the CLI takes as downloaded."""
    isolate(tmp_path, monkeypatch, "RAY_ADDRESS")
    folder = write_model(tmp_path / "models" / "bvlc_googlenet", "bvlc_googlenet.caffemodel", GOOGLENET_LIKE)
    write_sidecar(folder / "bvlc_googlenet.caffemodel", BVLC_GOOGLENET_SHA1)
    return tmp_path


def _video(workdir: Path, keep_as: str) -> Path:
    (video,) = (workdir / "data" / "dream_video").glob("clip-DeepDream__*.mp4")
    return video.rename(workdir / keep_as)


def test_chunked_video_is_the_sequential_video_at_blend_1(ray_session, workdir: Path) -> None:
    clip = write_clip(workdir / "clip.mp4", frames=CLIP_FRAMES, audio="aac")
    same = ["-e", str(clip), "-it", "png", "-b", "1", "-oct", "2", "-itr", "2", "-v", "1"]
    sequential = run(*same, "-o", "sequential")
    assert sequential.exit_code == 0, sequential.output
    sequential_video = _video(workdir, "sequential.mp4")
    chunked = run(*same, "-o", "chunked", "--ray", "--workers", "2", "--chunk-frames", "3")
    assert chunked.exit_code == 0, chunked.output
    chunked_video = _video(workdir, "chunked.mp4")

    assert dreamed_numbers(workdir / "chunked" / "clip") == list(range(1, CLIP_FRAMES + 1))
    for number in range(1, CLIP_FRAMES + 1):  # blend 1: no warm-up, every frame exactly the sequential one
        name = f"dream_frame_{number:08d}.png"
        assert np.array_equal(
            read_image(workdir / "chunked" / "clip" / name), read_image(workdir / "sequential" / "clip" / name)
        ), name
    assert len(cv2_frames(chunked_video)) == CLIP_FRAMES
    assert cv2_times_ms(chunked_video) == cv2_times_ms(sequential_video)
    assert audio_seconds(chunked_video) == pytest.approx(audio_seconds(sequential_video))
    assert audio_seconds(chunked_video) == pytest.approx(CLIP_FRAMES / 25, abs=0.05)

    # Mode 2 reads the frames mode 1 extracted: the same frames again.
    assert run("--mode", "1", "-e", str(clip), "-it", "png").exit_code == 0
    from_folder = run("--mode", "2", *same, "-o", "from_folder", "--ray", "--workers", "1", "--chunk-frames", "5")
    assert from_folder.exit_code == 0, from_folder.output
    for number in range(1, CLIP_FRAMES + 1):
        name = f"dream_frame_{number:08d}.png"
        assert np.array_equal(
            read_image(workdir / "from_folder" / "clip" / name), read_image(workdir / "sequential" / "clip" / name)
        ), name


def test_a_worker_killed_mid_chunk_is_replaced_and_every_frame_is_dreamed_once(ray_session, tmp_path: Path) -> None:
    frames_in = tmp_path / "frames"
    write_frames(frames_in, [np.full((8, 8, 3), 10 * n, np.uint8) for n in range(1, CLIP_FRAMES + 1)])
    trace = tmp_path / "trace"
    trace.mkdir()
    dreaming = Dreaming(None, ("x",), TracedRecipe(trace, die_at=6))  # type: ignore[arg-type]
    result = dream_frames_on_ray(
        VideoRun(2, frames_in, tmp_path / "out", dreaming=dreaming, blend=parse_blend("1"), image_type="png",
                 ray=TWO_WORKERS)
    )  # fmt: skip
    assert (trace / "died").exists()  # the worker of frames 5..8 did die at frame 6
    assert dreamed_numbers(tmp_path / "out") == list(range(1, CLIP_FRAMES + 1))
    # Frame 5 was on disk when the worker died: its restarted chunk went on from frame 6 without redoing it.
    assert dreamed_counts(trace) == dict.fromkeys(range(1, CLIP_FRAMES + 1), 1)
    assert result.dreamed == CLIP_FRAMES
    assert worker_threads(trace) == {2}  # every worker set its torch threads, the restarted one too
    assert not list((tmp_path / "out").glob(".*partial"))  # no half-written frame left behind
    for number in (1, 6, 10):
        assert read_image(tmp_path / "out" / f"dream_frame_{number:08d}.png")[0, 0, 0] == 255 - 10 * number


def test_ctrl_c_stops_the_workers_and_the_same_run_resumes_without_redoing_frames(
    ray_session, tmp_path: Path
) -> None:
    clip = write_clip(tmp_path / "clip.mp4", frames=CLIP_FRAMES, audio="aac")
    trace = tmp_path / "trace"
    trace.mkdir()
    out, video_out = tmp_path / "out", tmp_path / "dream.mp4"
    options = {"blend": parse_blend("0.5"), "image_type": "png", "ray": RayPlan(chunk_frames=5, warmup=2)}

    def job(recipe: TracedRecipe) -> VideoRun:
        return VideoRun(0, clip, out, video_out, Dreaming(None, ("x",), recipe), **options)  # type: ignore[arg-type]

    stopping = TracedRecipe(trace, interrupt_at=3, driver=os.getpid(), seconds=0.3)
    with pytest.raises(VideoInterrupted) as stopped:
        dream_video_on_ray(job(stopping))
    assert "run the same command again" in str(stopped.value)
    assert not video_out.exists()
    kept = dreamed_numbers(out)
    assert 0 < len(kept) < CLIP_FRAMES
    before = dreamed_counts(trace)

    result = dream_video_on_ray(job(TracedRecipe(trace)))
    assert dreamed_numbers(out) == list(range(1, CLIP_FRAMES + 1))
    after = dreamed_counts(trace)
    assert all(after[n] == before[n] for n in kept)  # finished frames were not dreamed again
    assert result.dreamed == CLIP_FRAMES - len(kept)
    assert len(cv2_frames(video_out)) == CLIP_FRAMES


def test_ray_without_ray_installed_is_one_line_saying_how_to_install_it(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = write_clip(workdir / "clip.mp4", frames=2)
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as it does where Ray is not installed
    result = run("-e", str(clip), "--ray")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "pip install 'deepdream-torch[ray]'" in lines[0], result.output
    assert not (workdir / "data" / "output_frames").exists()  # refused before anything ran


def test_threads_set_torch_threads_for_a_single_process_run(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cv2
    import torch

    asked: list[int] = []
    opencv: list[int] = []
    monkeypatch.setattr(torch, "set_num_threads", asked.append)
    monkeypatch.setattr(cv2, "setNumThreads", opencv.append)
    (workdir / "empty").mkdir()
    run("--mode", "3", "-o", "empty", "--threads", "3")  # fails later (no frames): the threads are set first
    assert asked == [3] and opencv == [3]


def test_ray_flags_alone_or_in_other_modes_are_refused_in_one_line(workdir: Path) -> None:
    clip = write_clip(workdir / "clip.mp4", frames=2)
    for args in (["-e", str(clip), "--workers", "2"], ["--mode", "1", "-e", str(clip), "--ray"]):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    shutil.rmtree(workdir / "data", ignore_errors=True)


def test_ray_dreams_other_settings_beside_the_first_dream_as_a_single_process_does(ray_session, workdir: Path) -> None:
    clip = write_clip(workdir / "clip.mp4", frames=4)
    first = ["-e", str(clip), "-oct", "1", "-itr", "1", "-v", "1"]
    assert run(*first).exit_code == 0
    before = sorted((workdir / "data/output_frames/clip").glob("dream_frame_*"))
    other = [*first, "-b", "1", "-l", "inception_4d/output"]
    chunked = run(*other, "--ray", "--workers", "1", "--chunk-frames", "2")
    assert chunked.exit_code == 0, chunked.output
    named = workdir / "data/output_frames/clip_i-1_o-1_b-1_L-inception_4d-output"
    assert "holds a dream with other settings" in chunked.stderr
    assert dreamed_numbers(named, "jpg") == [1, 2, 3, 4]
    assert sorted((workdir / "data/output_frames/clip").glob("dream_frame_*")) == before
    assert len(list((workdir / "data/dream_video").glob("clip_i-1_o-1_b-1_L-inception_4d-output-DeepDream__*"))) == 1
    # the single-process run of the same settings finds the chunked run's folder: nothing left to dream
    again = run(*other)
    assert again.exit_code == 0, again.output
    assert f"frames: data/output_frames/{named.name} (4 frames)" in again.stdout
