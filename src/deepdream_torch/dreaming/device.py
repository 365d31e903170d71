"""Which device and which arithmetic a dream runs with; the CLI reuses both for its --device and --precision."""

from __future__ import annotations

import contextlib
import warnings
from contextlib import AbstractContextManager

import torch

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.precision import PRECISIONS, SlowPrecisionWarning, choose
from deepdream_torch.dreaming.settings import Log

__all__ = [
    "PRECISIONS", "SlowPrecisionWarning", "allow_tf32", "autocast", "memory_format", "precision_name",
    "resolve_device", "resolve_precision", "tell_precision", "tune_for",
]
_warned: set[str] = set()  # the warnings given without a log: once per process


def resolve_device(spec: str = "auto") -> torch.device:
    """Turn ``auto``, ``cpu``, ``cuda`` or ``cuda:N`` into a device that exists here (auto: CUDA when present)."""
    spec = spec.strip().lower()
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if spec == "cpu":
        return torch.device("cpu")
    if spec == "cuda" or spec.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise DreamError(
                f"device {spec!r} asked for, but no CUDA GPU is available here: use --device cpu"
            )
        index_text = spec.partition(":")[2]
        if index_text:
            count = torch.cuda.device_count()
            if not index_text.isdigit() or int(index_text) >= count:
                raise DreamError(
                    f"device {spec!r} does not exist: this machine has cuda:0 .. cuda:{count - 1}"
                )
        return torch.device(spec)
    raise DreamError(f"unknown device {spec!r}: use auto, cpu, cuda or cuda:N")


def resolve_precision(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``auto|fp32|bf16|fp16`` on ``device`` (``precision.py`` picks for auto); None means
    plain fp32 (no autocast). A precision that runs emulated here (bf16 on a CPU without AVX512-BF16) still runs;
    ``tell_precision`` says so."""
    chosen = choose(precision, device)
    if chosen.tf32:
        allow_tf32()
    return chosen.dtype


def tell_precision(precision: str, device: torch.device, log: Log | None, told: set[str]) -> None:
    """Say which precision auto runs and why, and warn when the one asked for runs emulated here: both at ``log``
    level 1 (the issue that made auto the default asks for the choice even at the quietest level), each line once
    per ``told`` (a run's: a video resolves its precision every frame). Without a log the warning is a
    ``SlowPrecisionWarning``, once per process."""
    chosen = choose(precision, device)
    if log is None:
        if chosen.warning is not None and chosen.warning not in _warned:
            _warned.add(chosen.warning)
            warnings.warn(chosen.warning, SlowPrecisionWarning, stacklevel=3)
        return
    said = chosen.describe() if precision == "auto" else None  # a precision asked for goes without saying
    for line in (said, chosen.warning and f"warning: {chosen.warning}"):
        if line and line not in told:
            told.add(line)
            log(1, line)


def precision_name(precision: str, device: torch.device) -> str:
    """What ``precision`` runs as on ``device`` (fp32, bf16 or fp16): what a frames folder records."""
    return choose(precision, device).name


def allow_tf32() -> None:
    """Let the convolutions and matrix products that stay fp32 under autocast use TF32 tensor cores (CUDA)."""
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True


def autocast(device: torch.device, dtype: torch.dtype | None) -> AbstractContextManager:
    """Autocast to ``dtype`` on ``device``, or nothing for fp32."""
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def memory_format(device: torch.device) -> torch.memory_format:
    """The layout the net and pictures are kept in. Channels-last: oneDNN's CPU convolutions work in that layout
    (faster, benchmarks/README.md, "Device"), and on CUDA it is the layout tensor-core convolutions use."""
    return torch.channels_last


def tune_for(device: torch.device) -> None:
    """Let cuDNN pick its fastest kernels: a dream repeats each octave's shape `iterations` times, and a video
    repeats them every frame, so the one-off autotuning per shape is paid back (not measurable on the CPU-only
    machines this was written on)."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
