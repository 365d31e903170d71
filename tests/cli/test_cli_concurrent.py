"""Real ``deepdream`` processes on one output: a second run is refused naming the first, and the first, stopped by
two Ctrl-C 0.1 s apart, still leaves every frame it finished, a playable partial video and the right resume line."""

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


def test_a_second_run_is_refused_and_a_double_ctrl_c_keeps_every_frame(workdir: Path) -> None:
    if not SCRIPT.exists():
        pytest.skip(f"the console script is not installed beside {sys.executable}")
    write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])
    frames = 48  # a long runway: the second run must start while the first still dreams, on a fast CPU too
    video = write_sample_clip(workdir / "data/videos/long.mp4", 64, 48, seconds=frames / 12, fps=12)
    command = [str(SCRIPT), "-e", str(video), *TINY, "-oct", "1", "-itr", "400", "-v", "1", "--restart"]
    out_dir = Path("data/output_frames/long")

    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while (
            not list(out_dir.glob("dream_frame_*.jpg"))
            and first.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.02)
        assert first.poll() is None, "the first run ended before the second could start"

        second = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2, second.stderr
        (line,) = second.stderr.strip().splitlines()
        assert line.startswith("deepdream: error: ") and "in use by another run" in line
        assert f"pid {first.pid}" in line and "long.mp4" in line  # names the first run and its command
        assert first.poll() is None, "the refused run disturbed the first"
    finally:
        first.send_signal(signal.SIGINT)
        time.sleep(0.1)
        first.send_signal(signal.SIGINT)
        stdout, stderr = first.communicate(timeout=120)

    assert first.returncode == 130, stderr
    assert "Traceback" not in stdout + stderr
    assert "stopping after this frame (Ctrl-C again to stop now)" in stderr
    kept = sorted(out_dir.glob("dream_frame_*.jpg"))
    assert 1 <= len(kept) < frames
    assert [path.name for path in kept] == [f"dream_frame_{n:08d}.jpg" for n in range(1, len(kept) + 1)]
    (report,) = [line for line in stderr.splitlines() if line.startswith("deepdream: ")]
    assert report.startswith("deepdream: interrupted: ")
    # The same command with --restart would start over: the line must say to leave it out.
    assert f"without --restart to continue from frame {len(kept) + 1}" in report
    partial = Path("data/dream_video/long-DeepDream.partial.mp4")
    assert decoded_frames(partial).shape[0] == len(kept)
    assert not list(Path("data/output_frames").glob(".*.lock"))  # the lock went with the run
