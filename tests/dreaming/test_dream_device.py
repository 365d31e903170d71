"""Devices and precisions: auto, cpu and cuda resolved, or refused with the choices."""

import pytest
import torch

from deepdream_torch.dreaming.device import resolve_device, resolve_precision
from deepdream_torch.dreaming.errors import DreamError

no_cuda = pytest.mark.skipif(
    torch.cuda.is_available(), reason="checks the messages of a machine without CUDA"
)


def test_cpu_and_auto_without_cuda():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device(" CPU ") == torch.device("cpu")


@no_cuda
@pytest.mark.parametrize("spec", ["cuda", "cuda:1"])
def test_cuda_without_a_gpu_says_so(spec):
    with pytest.raises(DreamError, match="no CUDA GPU"):
        resolve_device(spec)


def test_unknown_device_lists_the_choices():
    with pytest.raises(DreamError, match="auto, cpu, cuda or cuda:N"):
        resolve_device("tpu")


def test_precisions():
    cpu = torch.device("cpu")
    assert resolve_precision("fp32", cpu) is None
    assert resolve_precision("bf16", cpu) is torch.bfloat16
    with pytest.raises(DreamError, match="fp16 is for CUDA"):
        resolve_precision("fp16", cpu)
    with pytest.raises(DreamError, match="fp32, bf16, fp16"):
        resolve_precision("fp8", cpu)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_precisions_on_a_gpu():
    gpu = resolve_device("cuda:0")
    assert resolve_precision("fp16", gpu) is torch.float16
    with pytest.raises(DreamError, match="does not exist"):
        resolve_device(f"cuda:{torch.cuda.device_count()}")
