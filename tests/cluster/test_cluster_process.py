"""Ctrl-C on a real ``deepdream --ray`` process: one line, exit code 130, and no Ray process left behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.cli_helpers import write_model
from tests.video.video_clips import write_clip

SCRIPT = Path(sys.executable).with_name("deepdream")


def ray_processes_of(driver: int) -> list[str]:
    """Command lines of the Ray processes a driver started: its session folder is named after its pid."""
    listing = subprocess.run(["ps", "-eo", "args"], check=True, capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if "session_" in line and f"_{driver}/" in line]


@pytest.mark.slow
def test_ctrl_c_on_a_chunked_run_stops_every_worker_and_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not SCRIPT.exists():
        pytest.skip(f"the console script is not installed beside {sys.executable}")
    pytest.importorskip("ray", reason="Ray is not installed: pip install 'deepdream-torch[ray]'")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    write_model(tmp_path / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])
    clip = write_clip(tmp_path / "clip.mp4", frames=12, audio="aac")
    command = [str(SCRIPT), "-e", str(clip), "-p", "models/tiny", "-m", "tiny.caffemodel", "-l", "conv2",
               "-oct", "1", "-itr", "80", "-v", "1", "--ray", "--workers", "2", "--chunk-frames", "6"]  # fmt: skip
    out_dir = tmp_path / "data/output_frames/clip"

    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not list(out_dir.glob("dream_frame_*.jpg")) and running.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.poll() is None, running.communicate()[1]
    running.send_signal(signal.SIGINT)
    stdout, stderr = running.communicate(timeout=120)

    assert running.returncode == 130, stderr
    assert "Traceback" not in stderr + stdout and "(raylet)" not in stderr + stdout
    reports = [line for line in stderr.splitlines() if line.startswith("deepdream: ")]
    assert len(reports) == 1 and reports[0].startswith("deepdream: interrupted: "), stderr
    assert "run the same command again" in reports[0]
    assert 1 <= len(list(out_dir.glob("dream_frame_*.jpg"))) < 12
    deadline = time.monotonic() + 20
    while ray_processes_of(running.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ray_processes_of(running.pid) == []
