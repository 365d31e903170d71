"""Which arithmetic a dream runs in: ``auto`` picks, per device, the fastest one that dreams as fp32 does.

bf16 dreams within the chaos floor of fp32 (benchmarks/README.md, "Precision"), so speed decides: bf16 where the
device computes it natively (a CPU with AVX512-BF16 or AMX, a CUDA GPU of compute capability 8.0 or later), fp32
where bf16 would be emulated (an AVX2-only CPU dreams bf16 many times slower). Where the flags cannot tell (a CPU
that is not x86), one short timing decides, cached per machine (CPU model and torch version).
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import torch

from deepdream_torch.dreaming.errors import DreamError

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}
_X86 = ("x86_64", "amd64", "i386", "i686", "x86")
_NATIVE_BF16 = ("avx512_bf16", "amx_bf16")  # the x86 flags whose bf16 dot products oneDNN uses
# bf16 is taken by a timing only when clearly faster: within noise, fp32 (never slower than fp32 is the goal).
_FASTER_ENOUGH = 0.8
# oneDNN held below its bf16 instruction sets (``ONEDNN_MAX_CPU_ISA=AVX2``) emulates bf16 whatever the CPU has.
_ISA_ENV = ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA")
_BF16_ISAS = ("AVX512_CORE_BF16", "AVX512_CORE_FP16", "AVX512_CORE_AMX", "AVX512_CORE_AMX_FP16", "AVX10_1_512",
              "AVX10_1_512_AMX", "AVX10_1_512_AMX_FP16", "AVX10_2_512", "AVX10_2_512_AMX_2", "ALL", "DEFAULT")
_CACHE_FILE = "precision.json"


class SlowPrecisionWarning(UserWarning):
    """A precision asked for runs emulated on this device, much slower than fp32."""


@dataclass(frozen=True)
class Precision:
    """What runs (``name``: fp32, bf16 or fp16), why, and a warning when what was asked runs slowly here."""

    name: str
    reason: str
    warning: str | None = None
    tf32: bool = False  # CUDA: let what stays fp32 use TF32 tensor cores

    @property
    def dtype(self) -> torch.dtype | None:
        """The autocast dtype; None is plain fp32 (no autocast)."""
        return DTYPES[self.name]

    def describe(self) -> str:
        """The one line said at -v 1."""
        return f"precision {self.name}: {self.reason}"


def choose(precision: str, device: torch.device) -> Precision:
    """The precision ``precision`` (auto, fp32, bf16, fp16) runs as on ``device``; DreamError for an unknown one
    or fp16 on the CPU."""
    if precision not in PRECISIONS:
        raise DreamError(f"unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    if precision == "fp16" and device.type == "cpu":
        # CPU fp16 autocast runs, but through slow fallbacks and with no accuracy gain over bf16.
        raise DreamError("fp16 is for CUDA GPUs; on the CPU use --precision bf16, fp32 or auto")
    if device.type == "cuda":
        return _cuda(precision, device)
    if device.type != "cpu":
        return Precision("fp32" if precision == "auto" else precision, f"asked for on {device.type}")
    return _cpu(precision)


def _cuda(precision: str, device: torch.device) -> Precision:
    major, minor = torch.cuda.get_device_capability(device)
    ampere = major >= 8
    capability = f"compute capability {major}.{minor}"
    if precision == "auto":
        if ampere:
            return Precision("bf16", f"{capability} has bf16 tensor cores (TF32 for what stays fp32)", tf32=True)
        return Precision("fp32", f"{capability} has no bf16 tensor cores (8.0 or later has)")
    warning = None
    if precision == "bf16" and not ampere:
        warning = f"bf16 is emulated on {capability} (bf16 tensor cores start at 8.0): fp32 is faster here"
    return Precision(precision, "asked for", warning)


def _cpu(precision: str) -> Precision:
    native = cpu_has_native_bf16()
    if precision == "auto":
        if native is True:
            return Precision("bf16", f"this CPU computes bf16 natively ({_native_flags()})")
        if native is False:
            return Precision("fp32", "this CPU has no native bf16 (AVX512-BF16 or AMX): bf16 would be emulated")
        ratio = bf16_time_ratio()
        if ratio <= _FASTER_ENOUGH:
            return Precision("bf16", f"bf16 measured {1 / ratio:.1f}x as fast as fp32 on this CPU")
        return Precision("fp32", f"bf16 measured {ratio:.1f}x fp32's time on this CPU")
    if precision == "bf16" and native is not True:
        ratio = bf16_time_ratio()
        if ratio > 1 / _FASTER_ENOUGH:
            return Precision(
                "bf16",
                "asked for",
                f"bf16 is emulated on this CPU (no AVX512-BF16 or AMX): it measured {ratio:.0f}x slower than fp32"
                " (--precision auto picks fp32 here)",
            )
    return Precision(precision, "asked for")


def cpu_has_native_bf16() -> bool | None:
    """Whether this CPU computes bf16 natively: torch's own CPU flags, else /proc/cpuinfo's; None when neither
    can tell (not x86: there the flags do not say whether torch's kernels use them)."""
    if platform.machine().lower() not in _X86:
        return None
    held = next((os.environ[name] for name in _ISA_ENV if os.environ.get(name)), None)
    if held is not None and held.strip().upper() not in _BF16_ISAS:
        return False
    flags = _torch_flags()
    if flags is None:
        flags = _cpuinfo_flags()
    if flags is None:
        return None
    return any(flag in flags for flag in _NATIVE_BF16)


def _native_flags() -> str:
    flags = _torch_flags() or _cpuinfo_flags() or set()
    return ", ".join(flag.upper().replace("_", "-") for flag in _NATIVE_BF16 if flag in flags)


@cache
def _torch_flags() -> set[str] | None:
    capabilities = getattr(torch.cpu, "get_capabilities", None)  # torch >= 2.8
    if capabilities is None:
        return None
    try:
        found = capabilities()
    except RuntimeError:
        return None
    if not any(flag in found for flag in _NATIVE_BF16):
        return None
    return {flag for flag, value in found.items() if value is True}


@cache
def _cpuinfo_flags() -> set[str] | None:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return set(value.split())
    return None


@cache
def bf16_time_ratio() -> float:
    """bf16's time ÷ fp32's for a dream-like step (convolutions forward and back to the input) on this CPU:
    measured once per machine and torch version, then read from the cache file."""
    key = f"{cpu_model()} | torch {torch.__version__} | {torch.get_num_threads()} threads"
    path = cache_path()
    known = _read_cache(path)
    if key in known:
        return float(known[key])
    ratio = _measure()
    known[key] = ratio
    try:
        from deepdream_torch.atomic import write_text

        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(path, json.dumps(known, indent=1, sort_keys=True))
    except OSError:
        pass  # an unwritable cache only costs the timing again next run
    return ratio


def cache_path() -> Path:
    """Where the timings are kept: beside the model store (``DEEPDREAM_HOME`` or the user's cache folder)."""
    configured = os.environ.get("DEEPDREAM_HOME")
    if configured:
        return Path(configured).expanduser() / _CACHE_FILE
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("deepdream-torch", appauthor=False)) / _CACHE_FILE


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), else what the platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "CPU part"):
                return value.strip()
    except OSError:
        pass  # not Linux: the platform's processor name below
    return platform.processor() or platform.machine()


def _read_cache(path: Path) -> dict[str, float]:
    try:
        known = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(known, dict):
        return {}
    return {key: value for key, value in known.items() if isinstance(value, int | float) and value > 0}


def _measure() -> float:
    """Best of a few steps of two 3×3 convolutions (64 channels, 56×56, channels-last) in each precision."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(64, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(64, 64, 3, padding=1)
    ).to(memory_format=torch.channels_last)
    x = torch.randn(1, 64, 56, 56).contiguous(memory_format=torch.channels_last)

    def step(dtype: torch.dtype | None) -> float:
        best = float("inf")
        for _ in range(4):
            picture = x.clone().requires_grad_(True)
            start = time.perf_counter()
            if dtype is None:
                loss = net(picture).square().mean()
            else:
                with torch.autocast("cpu", dtype=dtype):
                    loss = net(picture).float().square().mean()
            torch.autograd.grad(loss, picture)
            best = min(best, time.perf_counter() - start)
        return best

    step(None)  # oneDNN builds its kernels on first use
    return step(torch.bfloat16) / step(None)
