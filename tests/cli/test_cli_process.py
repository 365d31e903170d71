"""The installed command in a real process: the console script runs a mode end to end, and Ctrl-C stops a video
run with one line that says how to resume, exit code 130, and the same command then finishes the job."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deepdream_torch.cli.sample import write_sample_clip
from tests.cli.cli_helpers import decoded_frames, write_model

SCRIPT = Path(sys.executable).with_name("deepdream")
TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel", "-l", "conv1", "conv2"]


@pytest.fixture
def tiny(workdir: Path) -> Path:
    return write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])


def deepdream(*args: str) -> list[str]:
    if not SCRIPT.exists():
        pytest.skip(f"the console script is not installed beside {sys.executable}")
    return [str(SCRIPT), *args]


@pytest.mark.usefixtures("tiny")
def test_console_script_runs_mode_0(clip: Path) -> None:
    command = deepdream("-e", str(clip), *TINY, "-itr", "2", "-v", "1")
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    videos = list(Path("data/dream_video").glob("my_video-DeepDream__*.mp4"))
    assert len(videos) == 1 and f"video: {videos[0]}" in done.stdout
    assert decoded_frames(videos[0]).shape[0] == 6


def test_module_entry_reports_a_mistake_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deepdream_torch.cli", "-e", "nowhere.mp4"], check=False, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "deepdream: error: video nowhere.mp4 does not exist: check the path (inside Docker, the files are under /data)"
    ]


@pytest.mark.usefixtures("tiny")
def test_ctrl_c_stops_cleanly_and_the_same_command_resumes(workdir: Path) -> None:
    frames = 8
    video = write_sample_clip(workdir / "data/videos/long.mp4", 64, 48, seconds=frames / 12, fps=12)
    command = deepdream("-e", str(video), *TINY, "-oct", "1", "-itr", "60", "-v", "1")
    out_dir = Path("data/output_frames/long")

    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out_dir.glob("dream_frame_*.jpg")) and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert running.poll() is None, "the run ended before it could be interrupted"
    running.send_signal(signal.SIGINT)
    stdout, stderr = running.communicate(timeout=120)

    assert running.returncode == 130, stderr
    assert "Traceback" not in stderr + stdout
    reports = [line for line in stderr.splitlines() if line.startswith("deepdream: ")]
    assert len(reports) == 1 and reports[0].startswith("deepdream: interrupted: ")
    assert "run the same command again" in reports[0]
    kept = len(list(out_dir.glob("dream_frame_*.jpg")))
    assert 1 <= kept < frames

    resumed = subprocess.run(command, check=False, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming after frame {kept}" in resumed.stderr
    assert len(list(out_dir.glob("dream_frame_*.jpg"))) == frames
    (finished,) = Path("data/dream_video").glob("long-DeepDream__*.mp4")
    assert decoded_frames(finished).shape[0] == frames
