"""Which device and which arithmetic a dream runs with; the CLI reuses both for its --device and --precision."""

from __future__ import annotations

import contextlib
from contextlib import AbstractContextManager

import torch

from deepdream_torch.dreaming.errors import DreamError

PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


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
    """The autocast dtype for ``fp32|bf16|fp16`` on ``device``; None means plain fp32 (no autocast)."""
    if precision not in PRECISIONS:
        raise DreamError(f"unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    dtype = PRECISIONS[precision]
    if dtype is torch.float16 and device.type == "cpu":
        # CPU fp16 autocast runs, but through slow fallbacks and with no accuracy gain over bf16.
        raise DreamError("fp16 is for CUDA GPUs; on the CPU use --precision bf16 or fp32")
    return dtype


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
