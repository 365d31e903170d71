"""A worker keeps to its share of the cores: torch and OpenCV (the optical flow beside the dream) alike."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_a_worker_with_one_thread_limits_torch_and_opencv() -> None:
    # In a fresh process: thread counts are process-wide and the test session's own must stay as they are.
    code = (
        "import cv2, torch\n"
        "from deepdream_torch.cluster.worker import ChunkWorker\n"
        "print(torch.get_num_threads(), cv2.getNumThreads())\n"
        "ChunkWorker(recipe=None, job=None, threads=1)\n"
        "print(torch.get_num_threads(), cv2.getNumThreads())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    before, after = out.stdout.splitlines()
    if before.split() == ["1", "1"]:
        pytest.skip("this machine gives torch and OpenCV one thread already: nothing to limit")
    assert after.split() == ["1", "1"]
