"""--precision auto: bf16 where the device computes it natively, else fp32; a cached timing where flags cannot tell;
an emulated bf16 asked for runs with one warning that says how much slower it measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from deepdream_torch.dreaming import precision
from deepdream_torch.dreaming.device import resolve_precision, tell_precision
from deepdream_torch.dreaming.dream import dream
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.precision import choose
from tests.dreaming.dream_nets import picture

CPU = torch.device("cpu")


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    """Timings cached in this test's folder, none remembered from another test."""
    monkeypatch.setenv("DEEPDREAM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    monkeypatch.delenv("DNNL_MAX_CPU_ISA", raising=False)
    precision.bf16_time_ratio.cache_clear()
    yield
    precision.bf16_time_ratio.cache_clear()


def measured(monkeypatch, ratio: float) -> list[int]:
    """Replace the timing by ``ratio``; returns the list that counts the timings taken."""
    taken: list[int] = []
    monkeypatch.setattr(precision, "_measure", lambda: taken.append(1) or ratio)
    return taken


def cpuinfo_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.split(":")[0].strip() == "flags":
            return set(line.split(":", 1)[1].split())
    return set()


@pytest.mark.skipif(not Path("/proc/cpuinfo").exists() or not cpuinfo_flags(), reason="needs x86 Linux's cpuinfo")
def test_auto_on_this_cpu_follows_its_bf16_flags():
    native = bool({"avx512_bf16", "amx_bf16"} & cpuinfo_flags())
    chosen = choose("auto", CPU)
    assert chosen.name == ("bf16" if native else "fp32")
    assert resolve_precision("auto", CPU) is (torch.bfloat16 if native else None)
    assert ("natively" if native else "emulated") in chosen.describe()


def test_onednn_held_below_bf16_means_fp32(monkeypatch):
    monkeypatch.setattr(precision.platform, "machine", lambda: "x86_64")
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    taken = measured(monkeypatch, 16.0)
    assert choose("auto", CPU).name == "fp32" and not taken  # the flags decide: no timing
    asked = choose("bf16", CPU)
    assert asked.name == "bf16" and "16x slower than fp32" in asked.warning and taken == [1]


def test_where_flags_cannot_tell_a_timing_decides_once_per_machine(monkeypatch, tmp_path):
    monkeypatch.setattr(precision.platform, "machine", lambda: "aarch64")
    taken = measured(monkeypatch, 0.5)
    chosen = choose("auto", CPU)
    assert chosen.name == "bf16" and "2.0x as fast" in chosen.reason
    (key, value), = json.loads((tmp_path / "home" / "precision.json").read_text()).items()
    assert value == 0.5 and torch.__version__ in key and precision.cpu_model() in key

    precision.bf16_time_ratio.cache_clear()  # a new process on the same machine reads the cache
    assert choose("auto", CPU).name == "bf16" and taken == [1]


def test_a_timing_within_noise_keeps_fp32(monkeypatch):
    monkeypatch.setattr(precision.platform, "machine", lambda: "aarch64")
    measured(monkeypatch, 0.9)
    assert choose("auto", CPU).name == "fp32"


CAPABILITIES = [((8, 0), "bf16", True), ((9, 0), "bf16", True), ((7, 5), "fp32", False)]


@pytest.mark.parametrize(("capability", "name", "tf32"), CAPABILITIES)
def test_cuda_auto_follows_the_compute_capability(monkeypatch, capability, name, tf32):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    chosen = choose("auto", torch.device("cuda"))
    assert (chosen.name, chosen.tf32) == (name, tf32)
    assert f"{capability[0]}.{capability[1]}" in chosen.reason
    asked = choose("bf16", torch.device("cuda"))
    assert (asked.warning is None) == (capability >= (8, 0))


def test_unknown_and_cpu_fp16_are_refused_with_the_choices():
    with pytest.raises(DreamError, match="auto, fp32, bf16, fp16"):
        choose("fp8", CPU)
    with pytest.raises(DreamError, match="fp16 is for CUDA"):
        choose("fp16", CPU)


def test_a_run_is_told_once_and_a_slow_bf16_warns_once(monkeypatch):
    monkeypatch.setattr(precision.platform, "machine", lambda: "x86_64")
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    measured(monkeypatch, 16.0)
    lines: list[tuple[int, str]] = []
    told: set[str] = set()
    for _ in range(3):  # a video resolves its precision every frame
        tell_precision("auto", CPU, lambda level, text: lines.append((level, text)), told)
        tell_precision("bf16", CPU, lambda level, text: lines.append((level, text)), told)
    assert [level for level, _ in lines] == [1, 1]  # said at -v 1, each once
    assert lines[0][1].startswith("precision fp32: ") and lines[1][1].startswith("warning: bf16 is emulated")
    with pytest.warns(precision.SlowPrecisionWarning, match="16x slower"):
        tell_precision("bf16", CPU, None, set())


def test_a_default_dream_says_its_precision_once_per_call_with_a_log(tiny_net):
    lines: list[str] = []
    image = picture(20, 20)
    options = {"octaves": 2, "iterations": 2, "device": "cpu", "seed": 1}
    result = dream(image, tiny_net, "conv2", log=lambda _, text: lines.append(text), **options)
    expected = choose("auto", CPU)
    assert lines == [expected.describe()]
    same = dream(image, tiny_net, "conv2", precision=expected.name, **options)
    np.testing.assert_array_equal(result, same)  # auto is that precision, nothing else


@pytest.mark.skipif(
    sys.platform != "linux" or precision.platform.machine().lower() not in precision._X86,
    reason="oneDNN's ISA cap (ONEDNN_MAX_CPU_ISA) is x86's",
)
def test_bf16_held_to_avx2_really_is_slower_and_says_so(tmp_path):
    # A real AVX2-only CPU, as far as oneDNN is concerned: the measured slowdown is the machine's, not a stub's.
    code = (
        "import torch; from deepdream_torch.dreaming.precision import choose;"
        "print(choose('auto', torch.device('cpu')).name); print(choose('bf16', torch.device('cpu')).warning)"
    )
    env = {"ONEDNN_MAX_CPU_ISA": "AVX2", "DEEPDREAM_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, check=False, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    name, warning = done.stdout.strip().splitlines()
    assert name == "fp32"
    slower = float(warning.split("measured ")[1].split("x slower")[0])
    assert slower >= 2, warning
