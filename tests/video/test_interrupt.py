"""Ctrl-C and SIGTERM on a real process: a playable partial video, then a resumed run that redoes nothing."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.video.video_clips import audio_seconds, cv2_frames, dreamed_numbers

FRAMES = 30

# A slow dream as the scripts below take it: many short steps, as a net's dream is (one op after another), never one
# long sleep. CPython runs a signal's Python handler only between bytecodes: a signal that lands just before a long C
# call (a 20 s time.sleep here, one torch op in a real dream) is handled when that call returns. Under load the main
# thread can sit in that window for milliseconds (waiting to hand the GIL to the saver thread before it sleeps), so
# a Ctrl-C sent as "dream 3" appeared was taken only after the whole 20 s frame (1 in 10 runs on a loaded machine).
DREAM_IN_STEPS = """
import time

def dream_for(seconds):
    finished = time.monotonic() + seconds
    while time.monotonic() < finished:
        time.sleep(min(0.05, max(finished - time.monotonic(), 0.0)))
"""

# The command a user would run: dream a clip with a dreamer that logs every frame it starts (by its layer name,
# one per frame) and takes `delay` seconds per frame, or `slow_frame_delay` for frame `slow_frame`.
SCRIPT = (
    DREAM_IN_STEPS
    + """
import sys, time
from pathlib import Path
from deepdream_torch.video import VideoInterrupted, dream_video, parse_blend
from deepdream_torch.video.options import FrameOptions

source, frames_dir, out, log, delay, slow_frame, slow_delay = sys.argv[1:8]

def dreamer(batch, layers, numbers):
    with open(log, "a") as file:
        file.write("".join(name + "\\n" for name in layers))
    dream_for(float(slow_delay) if layers[0] == "f" + slow_frame else float(delay))
    return 255 - batch

class Said:  # the run's notes (the stop's acknowledgement) go to a file of their own, beside the dreamer's log
    def start(self, description, total, done): pass
    def frame(self, event): pass
    def log(self, level, message):
        with open(log + ".said", "a") as file:
            file.write(message + "\\n")

layers = [f"f{n}" for n in range(1, 101)]  # frame n dreams layers[n - 1], named after it
try:
    dream_video(Path(source), Path(frames_dir), Path(out), dreamer, layers,
                FrameOptions(parse_blend("loop"), image_type="png"), progress=Said())
except VideoInterrupted as stopped:
    print(stopped, file=sys.stderr)
    sys.exit(3)
"""
)


def start(tmp_path, source, delay, slow_frame=0, slow_delay=0.0):
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    arguments = [
        source,
        tmp_path / "f",
        tmp_path / "v" / "o.mp4",
        tmp_path / "log",
        delay,
        slow_frame,
        slow_delay,
    ]
    return subprocess.Popen(
        [sys.executable, str(script), *map(str, arguments)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def logged(tmp_path) -> list[str]:
    log = tmp_path / "log"
    return log.read_text().split() if log.exists() else []


def acknowledged(said: Path) -> bool:
    """Whether the run has taken the first Ctrl-C (said "stopping after this frame")."""
    return said.exists() and "stopping after this frame" in said.read_text()


def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stopped_run_leaves_a_playable_video_and_resumes_without_dreaming_a_frame_twice(
    make_clip, tmp_path, signum
):
    source = make_clip("c.mp4", frames=FRAMES, audio="aac")
    run = start(tmp_path, source, delay=0.1)
    wait_for(lambda: len(logged(tmp_path)) >= 5)
    run.send_signal(signum)
    _, stderr = run.communicate(timeout=30)

    assert run.returncode == 3, stderr
    done = dreamed_numbers(tmp_path / "f")
    k = len(done)
    assert 5 <= k < FRAMES and done == list(range(1, k + 1))
    assert logged(tmp_path) == [f"f{n}" for n in range(1, k + 1)]  # the frame in flight was finished and kept
    assert f"run the same command again to continue from frame {k + 1}" in stderr
    partial = tmp_path / "v" / "o.partial.mp4"
    assert str(partial) in stderr
    assert len(cv2_frames(partial)) == k
    assert audio_seconds(partial) == pytest.approx(k * 0.04, abs=0.05)
    assert not (tmp_path / "v" / "o.mp4").exists()

    again = start(tmp_path, source, delay=0.0)
    _, stderr = again.communicate(timeout=60)
    assert again.returncode == 0, stderr
    assert logged(tmp_path) == [f"f{n}" for n in range(1, FRAMES + 1)]  # each frame dreamed exactly once
    assert len(cv2_frames(tmp_path / "v" / "o.mp4")) == FRAMES
    assert audio_seconds(tmp_path / "v" / "o.mp4") == pytest.approx(FRAMES * 0.04, abs=0.05)
    assert not partial.exists()


def test_a_second_ctrl_c_drops_the_frame_in_flight(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=8)
    run = start(tmp_path, source, delay=0.0, slow_frame=3, slow_delay=20.0)
    wait_for(lambda: "f3" in logged(tmp_path))
    began = time.monotonic()
    run.send_signal(signal.SIGINT)
    # The second press once the first was taken: two signals close together on a loaded machine can reach the
    # process as one (the kernel keeps one pending SIGINT), which is no second press at all.
    wait_for(lambda: acknowledged(tmp_path / "log.said"))
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=15)
    assert time.monotonic() - began < 10  # did not wait out the 20 s frame
    assert run.returncode == 3, stderr
    assert dreamed_numbers(tmp_path / "f") == [1, 2]
    assert "continue from frame 3" in stderr
    assert len(cv2_frames(Path(tmp_path / "v" / "o.partial.mp4"))) == 2


# The same command with hooks that make each phase of a stop slow enough to press Ctrl-C again in it: the dreamer
# (frame `slow_frame` takes 20 s), the saver thread (each frame from `slow_frame` on takes 0.4 s to save) or the
# encoder closing (1.5 s). Each phase writes a line to the log as it begins, so the test knows when to signal.
SHUTDOWN_SCRIPT = (
    DREAM_IN_STEPS
    + """
import sys, time
from contextlib import contextmanager
from pathlib import Path
from deepdream_torch.video import VideoInterrupted, dream_video, parse_blend
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video import dream_run, partial

source, frames_dir, out, log, slow, slow_frame, restart = sys.argv[1:8]
slow_frame = int(slow_frame)

def note(line):
    with open(log, "a") as file:
        file.write(line + "\\n")

def dreamer(batch, layers, numbers):
    note(f"dream {numbers[0]}")
    dream_for(20.0 if slow == "dreaming" and numbers[0] == slow_frame else 0.05)
    return 255 - batch

write_image = dream_run.write_image
def slow_write(path, image):
    if slow == "saving" and int(path.stem[-8:]) >= slow_frame:
        note(f"save {path.stem[-8:]}")
        time.sleep(0.4)
    write_image(path, image)
dream_run.write_image = slow_write

open_writer = partial.open_writer
@contextmanager
def slow_close(*args, **options):
    with open_writer(*args, **options) as writer:
        try:
            yield writer
        finally:
            if slow == "closing":
                note("closing")
                time.sleep(1.5)
partial.open_writer = slow_close

class Say:
    def start(self, description, total, done): pass
    def frame(self, event): pass
    def log(self, level, message):
        print(message, file=sys.stderr, flush=True)
        note(message)

try:
    options = FrameOptions(parse_blend("0.5"), image_type="png", restart=restart == "restart")
    dream_video(Path(source), Path(frames_dir), Path(out), dreamer, ["a", "b"], options, progress=Say())
except VideoInterrupted as stopped:
    print(stopped, file=sys.stderr)
    sys.exit(3)
"""
)


@pytest.mark.parametrize(
    ("phase", "first_at", "second_at"),
    [
        ("dreaming", "dream 3", "dream 3"),
        ("saving", "save 00000003", "save 00000003"),
        ("closing", "dream 4", "closing"),
    ],
)
def test_a_second_ctrl_c_anywhere_in_the_stop_still_leaves_every_frame_and_a_playable_video(
    make_clip, tmp_path, phase, first_at, second_at
):
    source = make_clip("c.mp4", frames=12)
    script = tmp_path / "run.py"
    script.write_text(SHUTDOWN_SCRIPT)
    arguments = [source, tmp_path / "f", tmp_path / "v" / "o.mp4", tmp_path / "log", phase, 3, "-"]
    run = subprocess.Popen(
        [sys.executable, str(script), *map(str, arguments)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: first_at in logged_lines(tmp_path))
    run.send_signal(signal.SIGINT)
    wait_for(lambda: second_at in logged_lines(tmp_path) and acknowledged(tmp_path / "log"))
    time.sleep(0.1)
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=30)

    assert run.returncode == 3, stderr
    assert "Traceback" not in stderr
    assert "stopping after this frame (Ctrl-C again to stop now)" in stderr
    done = dreamed_numbers(tmp_path / "f")
    k = len(done)
    assert k >= 2 and done == list(range(1, k + 1))  # every frame dreamed before the stop is kept, in order
    assert f"run the same command again to continue from frame {k + 1}" in stderr
    assert len(cv2_frames(tmp_path / "v" / "o.partial.mp4")) == k  # the partial video plays, with all of them


def test_after_a_restart_the_resume_line_says_to_leave_restart_out(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=12)
    script = tmp_path / "run.py"
    script.write_text(SHUTDOWN_SCRIPT)
    arguments = [source, tmp_path / "f", tmp_path / "v" / "o.mp4", tmp_path / "log", "dreaming", 3, "restart"]
    run = subprocess.Popen(
        [sys.executable, str(script), *map(str, arguments)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(lambda: "dream 3" in logged_lines(tmp_path))
    began = time.monotonic()
    run.send_signal(signal.SIGINT)
    wait_for(lambda: acknowledged(tmp_path / "log"))
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=30)
    assert time.monotonic() - began < 10, stderr  # both presses were taken during frame 3, not after it
    assert run.returncode == 3, stderr
    assert "run the same command again without --restart to continue from frame 3" in stderr


def logged_lines(tmp_path) -> list[str]:
    log = tmp_path / "log"
    return log.read_text().splitlines() if log.exists() else []
