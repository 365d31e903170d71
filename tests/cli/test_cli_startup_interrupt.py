"""Ctrl-C at any moment of start-up (importing the CLI, typer, torch, the video code, loading the model) ends like
one mid-dream: one line, exit code 130, no traceback and nothing half-written (no ``.part`` file left).

Real processes of the console script, each in its own folder, interrupted at delays from 0.15 s to 2 s, which on
this machine fall in the imports (torch's alone takes 0.8-1.7 s under load, more at a load of 10) and in the first
frames. They run one
after the other: several starting at once on two cores would stretch Python's own start (the interpreter and the
script's ``import re``, before any line of ours can run: about 30 ms of CPU) past the first delays.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from deepdream_torch.atomic import TEMPORARY_MARK
from deepdream_torch.cli.sample import sample_frames, write_sample_clip
from tests.cli.cli_helpers import write_model

SCRIPT = Path(sys.executable).with_name("deepdream")
TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel", "-l", "conv1", "conv2"]


def prepared(root: Path, name: str) -> Path:
    """A folder with the tiny model, a 5 s clip and its 60 frames dreamed (what mode 3 assembles)."""
    folder = root / name
    shutil.copytree(root / "template", folder)
    return folder


@pytest.fixture
def template(workdir: Path) -> Path:
    folder = workdir / "template"
    write_model(folder / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])
    write_sample_clip(folder / "data/videos/clip.mp4", 64, 48, seconds=5, fps=12)
    frames = folder / "data/output_frames/clip"
    frames.mkdir(parents=True)
    for number, frame in enumerate(sample_frames(64, 48, 60), start=1):
        Image.fromarray(frame).save(frames / f"dream_frame_{number:08d}.jpg")
    return folder


@pytest.fixture
def as_from_a_terminal() -> Iterator[None]:
    """Children started as a shell starts a foreground command, SIGINT not ignored: an ignored SIGINT is inherited
    across exec, and a pytest process left with one (the whole suite has been seen to) would start children that
    no Ctrl-C can reach. A Python handler here is not inherited: the children start with the system default."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


COMMANDS = {  # (command, delays in seconds)
    "mode 0": (["-e", "data/videos/clip.mp4", *TINY, "-oct", "1", "-itr", "50", "-v", "1"], (0.15, 0.8, 2.0)),
    "picture": (["-sp", "data/output_frames/clip/dream_frame_00000001.jpg", *TINY, "-itr", "400"], (0.5, 1.5)),
    "mode 3": (["--mode", "3", "-e", "data/videos/clip.mp4", "-v", "1"], (0.3, 1.0)),
}


@pytest.mark.slow
@pytest.mark.usefixtures("template", "as_from_a_terminal")
@pytest.mark.parametrize("mode", COMMANDS)
def test_ctrl_c_during_start_up_is_one_line_and_exit_130(workdir: Path, mode: str) -> None:
    if not SCRIPT.exists():
        pytest.skip(f"the console script is not installed beside {sys.executable}")
    command, delays = COMMANDS[mode]
    finished_first = 0
    finished: list[tuple[float, str]] = []
    for delay in delays:
        folder = prepared(workdir, f"{mode.replace(' ', '_')}_{delay}")
        process = subprocess.Popen([str(SCRIPT), *command], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
        if process.returncode == 0:  # done before the signal came (mode 3 is quick): nothing to check
            finished_first += 1
            finished.append((delay, stderr[-300:]))
            continue
        assert "Traceback" not in stderr + stdout, (delay, stderr)
        assert process.returncode == 130, (delay, process.returncode, stderr)
        reports = [line for line in stderr.splitlines() if line.startswith("deepdream")]
        assert len(reports) == 1 and reports[0].startswith("deepdream: interrupted"), (delay, stderr, stdout)
        assert not [path for path in folder.rglob(f"*{TEMPORARY_MARK}*") if f"{TEMPORARY_MARK}." in path.name], delay
    assert finished_first < len(delays) / 2, finished  # most signals came while the command was starting or running
