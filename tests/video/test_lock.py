"""One run per output: a second run is refused naming the first, a lock left by a dead process is taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deepdream_torch.video.lock import OutputLocked, StaleLockTakenOver, lock_path, output_lock

# Another run holding the lock file argv[1] until its stdin closes: what output_lock does (flock, then its own
# pid and command line as JSON), in plain Python, because importing the package takes seconds on a busy machine.
HOLDER = """
import fcntl, json, os, sys
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o666)
fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
holder = {"pid": os.getpid(), "host": os.uname().nodename, "started": "now", "command": "deepdream --marker"}
os.write(descriptor, json.dumps(holder).encode())
print("held", flush=True)
sys.stdin.read()
os.unlink(sys.argv[1])  # as output_lock does when its block ends
"""


def dead_pid() -> int:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    return int(finished.stdout)


def hold_in_other_process(output: Path) -> subprocess.Popen:
    other = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock_path(output))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert other.stdout is not None and other.stdout.readline().strip() == "held"
    return other


def stale_lock(output: Path, command: str = "x") -> int:
    """What a run killed with -9 leaves: its lock file, naming a process that is gone (its pid, returned)."""
    holder = {
        "pid": dead_pid(),
        "host": socket.gethostname(),
        "started": "2026-01-01 00:00:00",
        "command": command,
    }
    lock_path(output).write_text(json.dumps(holder))
    return holder["pid"]


@pytest.mark.parametrize(
    ("situation", "taken"),
    [("free", True), ("stale lock of a dead process", True), ("held by a live process", False),
     ("held through a symlink", False)],
)  # fmt: skip
def test_an_output_is_locked_by_one_run_at_a_time(tmp_path: Path, situation: str, taken: bool) -> None:
    output = tmp_path / "frames"
    output.mkdir()
    other = None
    if situation.startswith("stale"):
        stale_lock(output)
    elif situation == "held by a live process":
        other = hold_in_other_process(output)
    elif situation == "held through a symlink":
        (tmp_path / "alias").symlink_to(output)
        other = hold_in_other_process(tmp_path / "alias")  # the same lock file as the output's
    try:
        if taken:
            said: list[str] = []
            with output_lock(output, log=said.append) as holder:
                assert json.loads(lock_path(output).read_text())["pid"] == os.getpid() == holder.pid
            assert not lock_path(output).exists()  # nothing left behind
            assert len(said) == (situation != "free")  # a stale lock taken over is said, a free one is not
        else:
            assert other is not None
            with pytest.raises(OutputLocked) as refused, output_lock(output):
                pytest.fail("a second run got the lock")
            message = str(refused.value)
            assert f"pid {other.pid}" in message and "--marker" in message and "\n" not in message
    finally:
        if other is not None:
            other.communicate("", timeout=10)
    with output_lock(output):  # free again once the holder is gone
        pass


def test_a_lock_is_released_when_its_holder_is_killed_and_the_takeover_names_it(tmp_path: Path) -> None:
    output = tmp_path / "clip.partial.mp4"
    other = hold_in_other_process(output)
    other.kill()
    other.wait(timeout=10)
    assert lock_path(output).exists()
    began = time.monotonic()
    said: list[str] = []
    with output_lock(output, log=said.append):
        pass
    assert time.monotonic() - began < 1
    (line,) = said
    assert "\n" not in line and str(output) in line
    assert f"pid {other.pid} on {os.uname().nodename}" in line and "deepdream --marker" in line


def test_a_stale_lock_taken_over_is_said_once_and_a_free_one_is_not(tmp_path: Path) -> None:
    free, stale = tmp_path / "free", tmp_path / "stale"
    pid = stale_lock(stale, command="deepdream -e clip.mp4 -l conv1")
    said: list[str] = []
    with output_lock(free, stale, log=said.append):
        pass
    (line,) = said
    assert str(stale) in line and f"pid {pid} " in line and "deepdream -e clip.mp4 -l conv1" in line
    assert "2026-01-01 00:00:00" in line
    with output_lock(free, stale, log=said.append):  # released properly: nothing to take over the second time
        pass
    assert len(said) == 1


def test_a_stale_lock_with_an_unreadable_record_is_said_too(tmp_path: Path) -> None:
    output = tmp_path / "frames"
    lock_path(output).write_bytes(b'{"pid": 12')  # cut short as its run was killed
    said: list[str] = []
    with output_lock(output, log=said.append):
        pass
    (line,) = said
    assert str(output) in line and "unreadable" in line


def test_without_a_log_the_takeover_is_a_warning(tmp_path: Path) -> None:
    output = tmp_path / "frames"
    pid = stale_lock(output)
    with pytest.warns(StaleLockTakenOver, match=f"pid {pid} "), output_lock(output):
        pass


def test_mode_3_refuses_a_folder_another_run_is_still_dreaming(tmp_path: Path) -> None:
    from deepdream_torch.video import VideoError, assemble_video

    frames = tmp_path / "frames"
    frames.mkdir()
    other = hold_in_other_process(frames)
    try:
        with pytest.raises(VideoError, match=f"still being dreamed by another run \\(pid {other.pid} "):
            assemble_video(frames, tmp_path / "out.mp4")
        assert not (tmp_path / "out.mp4").exists()
    finally:
        other.communicate("", timeout=10)
    # This process's own lock (a cluster driver assembling its run) is no obstacle: it gets to the frames.
    with output_lock(frames), pytest.raises(VideoError, match="has no jpg frames"):
        assemble_video(frames, tmp_path / "out.mp4")
