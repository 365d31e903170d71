"""``benchmarks/gpu_check.sh``, the GPU check kept ready for a machine with an NVIDIA GPU: it parses, and without a
GPU it stops at once with one line and exit code 1 (nothing installed, nothing run)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "gpu_check.sh"
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")


def test_the_script_parses():
    done = subprocess.run([BASH, "-n", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("nvidia_smi", [None, "echo 'No devices were found'; exit 6", "exit 0"])
def test_without_a_gpu_it_stops_at_once_in_one_line(tmp_path, nvidia_smi):
    # A PATH with bash's helpers but no real nvidia-smi: none at all, or one that lists no GPU.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "grep", "cat"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    if nvidia_smi is not None:
        fake = bin_dir / "nvidia-smi"
        fake.write_text(f"#!{BASH}\n{nvidia_smi}\n")
        fake.chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run([BASH, str(SCRIPT)], capture_output=True, text=True, env=env, timeout=30, check=False)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "gpu_check: no NVIDIA GPU here (nvidia-smi lists none): run this on a machine with one"
    ]
    assert not (SCRIPT.parents[1] / ".venv-gpu").exists()


def test_the_rows_without_cuda_say_so_in_one_line(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the rows would run")
    rows = SCRIPT.with_name("gpu_check.py")
    done = subprocess.run(
        [sys.executable, str(rows), "--models", str(tmp_path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [f"gpu_check: torch sees no CUDA GPU here (torch {torch.__version__})"]
