"""The memory model: sizes as users write them, default budgets, and plans that real steps stay within."""

from __future__ import annotations

import contextlib
import platform
import random
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch.profiler import ProfilerActivity, profile

from deepdream_torch.dreaming.device import resolve_precision
from deepdream_torch.dreaming.dream import dream, dream_batch
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.loop import dream_step
from deepdream_torch.dreaming.loop import gradient as loop_gradient
from deepdream_torch.dreaming.memory import (
    RUNTIME_BYTES,
    available_ram,
    default_budget,
    loop_bytes,
    parse_size,
    planned_bytes,
    step_memory,
    with_runtime,
)
from deepdream_torch.dreaming.objectives import l2
from deepdream_torch.dreaming.octaves import octave_sizes
from deepdream_torch.dreaming.pull import Pull
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.dreaming.tiles import Tiler
from tests.dreaming.dream_nets import MEAN, picture

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize(
    ("text", "size"),
    [("2GiB", 2 * 2**30), ("1.5G", 3 * 2**29), ("800MiB", 800 * 2**20), ("2GB", 2 * 10**9), ("4096", 4096),
     (" 64 kib ", 64 * 1024), ("1TiB", 2**40), (512, 512)],
)  # fmt: skip
def test_sizes_as_users_write_them(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["2XB", "-1", "0", "abc", "", "GiB", "1.2.3G", 0, -5])
def test_sizes_that_mean_nothing_say_how_to_write_one(text):
    with pytest.raises(DreamError, match="memory size"):
        parse_size(text)


def test_the_cpu_budget_is_a_share_of_the_ram_linux_says_is_available():
    with open("/proc/meminfo") as meminfo:
        kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemAvailable:"))
    assert abs(available_ram() - kib * 1024) < 2**30  # other processes come and go between the two reads
    assert 0 < default_budget(torch.device("cpu")) < available_ram()


def test_the_plan_counts_what_a_one_convolution_step_keeps(one_conv_net):
    # One 3x3 convolution, 3 -> 4 channels, padded: autograd keeps the picture (3 floats a pixel) and the
    # weights (4*3*3*3 floats); the objective squares the blob (4 floats a pixel), and the backward pass holds
    # two blob-sized gradients at most: 3 + 4 + 2 * 4 floats a pixel.
    height, width = 40, 50
    expected = 4 * (3 + 4 + 2 * 4) * height * width + 4 * 4 * 3 * 3 * 3
    assert planned_bytes(one_conv_net, ["conv"], height, width) == expected


def peak_allocated(run) -> int:
    """The most bytes torch's CPU allocator held at once while ``run()`` ran, above what it held before, from
    the profiler's allocation records (not from the memory model)."""
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as recorded:
        run()
    live = peak = 0
    for event in sorted(recorded.events(), key=lambda e: e.time_range.start):
        live += event.cpu_memory_usage if event.name == "[memory]" else event.self_cpu_memory_usage
        peak = max(peak, live)
    return peak


# Frees a 24 MiB tensor (glibc then keeps freed blocks below 24 MiB in its heap), then says how much of a freed
# 8 MiB tensor's memory (touched: resident) went back to the system, by /proc's VmRSS: by default, inside a
# small_heap block, and after one.
_FREED_BACK = """
import contextlib, re, sys, torch
from deepdream_torch.dreaming.memory import small_heap
def rss():
    return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) * 1024
def freed():
    block = torch.ones(2 * 2**20)  # 8 MiB
    before = rss()
    del block
    return (before - rss()) / 2**20
torch.ones(6 * 2**20)  # 24 MiB of float32, mapped on its own, unmapped when freed at once
if sys.argv[1] == "after":
    with small_heap(torch.device("cpu")):
        freed()
with small_heap(torch.device("cpu")) if sys.argv[1] == "inside" else contextlib.nullcontext():
    print(freed())
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or sys.platform != "linux", reason="glibc's heap on Linux")
def test_a_freed_block_goes_back_to_the_system_only_inside_a_small_heap_block():
    def freed_mib(mode):
        run = subprocess.run([sys.executable, "-c", _FREED_BACK, mode], capture_output=True, text=True, check=True)
        return float(run.stdout.strip().splitlines()[-1])

    assert freed_mib("by default") < 1  # glibc's own rule: the block stays in its heap, to be reused
    assert freed_mib("inside") > 7  # a budget that binds: unmapped at once
    assert freed_mib("after") < 1  # the heap keeps blocks again once the block is left


def test_the_profiler_peak_sees_a_known_allocation():
    assert 4_000_000 <= peak_allocated(lambda: torch.ones(1000, 1000).sum()) < 4_100_000


def step(net, x, tiler):
    generators = [random.Random(3)]
    settings = DreamSettings()
    return dream_step(x, net, [l2("conv2")], generators, settings, -MEAN, 255 - MEAN, contextlib.nullcontext(), tiler)


def gradient(net, x, tiler):
    return tiler.gradient(x, lambda items, crop: loop_gradient(crop, net, [l2("conv2")], contextlib.nullcontext()))


def test_only_a_dream_its_budget_binds_keeps_the_heap_small(tiny_net, monkeypatch):
    shape, cpu = (1, 192, 256), torch.device("cpu")
    whole = loop_bytes(*shape) + step_memory(tiny_net, ["conv2"]).bytes(*shape)
    assert not Tiler(tiny_net, ["conv2"], shape, cpu).tight  # the default budget, room to spare: heap reused
    assert not Tiler(tiny_net, ["conv2"], shape, cpu, tile="off").tight
    assert Tiler(tiny_net, ["conv2"], shape, cpu, max_memory=10 * whole).tight  # a budget given is held
    assert Tiler(tiny_net, ["conv2"], shape, cpu, tile=64).tight
    monkeypatch.setattr("deepdream_torch.dreaming.tiles.default_budget", lambda device: whole // 2)
    assert Tiler(tiny_net, ["conv2"], shape, cpu).tight  # a default budget the full-size step does not fit


def test_a_step_under_a_budget_allocates_no_more_than_the_budget(tiny_net):
    height, width = 192, 256
    whole = step_memory(tiny_net, ["conv2"]).bytes(1, height, width)
    share = whole // 3  # what the budget leaves the gradient beside the loop's whole-picture copies
    budget = loop_bytes(1, height, width) + share
    x = torch.rand(1, 3, height, width) * 200 - 100
    tiler = Tiler(tiny_net, ["conv2"], (1, height, width), torch.device("cpu"), max_memory=budget)
    assert tiler.plan(1, height, width).tile is not None
    step(tiny_net, x, tiler)  # plans, probes and caches before the measured step
    untiled = Tiler(tiny_net, ["conv2"], (1, height, width), torch.device("cpu"), max_memory=budget * 100)
    assert peak_allocated(lambda: step(tiny_net, x, tiler)) <= budget
    # The tiles' gradient stays within its share; the whole picture's would not (what the tiles saved).
    picture = x.numel() * 4  # the assembled gradient, one of the loop's copies
    assert peak_allocated(lambda: gradient(tiny_net, x, tiler)) <= share + picture
    assert peak_allocated(lambda: gradient(tiny_net, x, untiled)) > share + picture


def model_peak(height: int, width: int, octaves: int, pulled: bool = False, precision: str = "auto") -> int:
    """The loop's copies the memory model counts at its fullest octave (the libraries' share left out), the tiles'
    gradient in the dtype ``precision`` runs as here (bf16 on a CPU that computes it natively)."""
    sizes = octave_sizes(height, width, octaves, DreamSettings().octave_scale)
    dtype = resolve_precision(precision, torch.device("cpu"))
    return max(loop_bytes(1, height, width, pulled, size, dtype) for size in sizes) - RUNTIME_BYTES


@pytest.mark.parametrize("octaves", [1, 2, 3])
def test_the_loop_holds_the_full_size_copies_the_model_counts(tiny_net, octaves):
    # In tiles of 32 pixels a step's own memory is a sliver of the picture's, so the dream's peak is the loop's
    # copies of the picture: the model's count of them, within a quarter of a full-size copy (the 8-bit result
    # made at the end, the tiles' crops).
    height, width = 384, 512
    copy = 3 * height * width * 4
    image = picture(height, width)
    settings = {"octaves": octaves, "iterations": 1, "seed": 0, "device": "cpu", "tile": 32}
    dream(image, tiny_net, "conv2", **settings)  # the net's probes, made once
    peak = peak_allocated(lambda: dream(image, tiny_net, "conv2", **settings))
    counted = model_peak(height, width, octaves)
    assert counted - 0.25 * copy <= peak <= counted + 0.25 * copy, (peak / copy, counted / copy)


def test_a_pulled_dream_holds_the_copies_the_model_counts(tiny_net):
    height, width = 384, 512
    copy = 3 * height * width * 4
    image = picture(height, width)
    pull = Pull(picture(height, width, seed=1), np.full((height, width), 0.5, np.float32), 0.5)
    settings, runtime = DreamSettings(octaves=2, iterations=1), Runtime("cpu", "fp32", 32)
    dream_batch(image[None], tiny_net, "conv2", settings, runtime, seed=0, pulls=[pull])
    peak = peak_allocated(lambda: dream_batch(image[None], tiny_net, "conv2", settings, runtime, seed=0, pulls=[pull]))
    # The pull's strength (a third of a copy) lies in numpy's memory on the CPU, which the profiler does not see.
    counted = model_peak(height, width, 2, pulled=True, precision="fp32") - copy // 3
    assert counted - 0.25 * copy <= peak <= counted + 0.25 * copy, (peak / copy, counted / copy)


@pytest.mark.slow
@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_an_eighth_of_the_untiled_dreams_memory_is_a_budget_met(googlenet, precision):
    # What a user with an eighth of the memory the untiled dream takes asks for: the plan (tiles, recomputation)
    # keeps every tensor of the dream within it, the loop's own copies included. The budget also holds
    # RUNTIME_BYTES and RUNTIME_SHARE for what the libraries take besides tensors, which the profiler does not see. 960x540: in a
    # smaller picture tiles that small would be mostly margin. Under bf16 autocast (what --precision auto runs on
    # a bf16 CPU) the plan counts the blobs a bf16 step keeps, the weights' bf16 copies beside the fp32 ones and
    # each tile's bf16 copy, so an eighth of the untiled bf16 dream's memory (measured, not modelled) is met too.
    layer, height, width = "inception_4c/output", 540, 960
    image = picture(height, width)
    settings = {"octaves": 1, "iterations": 1, "seed": 0, "device": "cpu", "precision": precision}
    dream(image, googlenet, layer, tile="off", **settings)
    untiled = peak_allocated(lambda: dream(image, googlenet, layer, tile="off", **settings))
    said: list[str] = []
    dtype = resolve_precision(precision, torch.device("cpu"))
    budget = RUNTIME_BYTES + with_runtime(untiled // 8, dtype)  # the libraries' fixed part and share of a step
    dream(image, googlenet, layer, max_memory=budget, log=lambda _, line: said.append(line), **settings)
    tiled = peak_allocated(lambda: dream(image, googlenet, layer, max_memory=budget, **settings))
    assert any("tiles of" in line for line in said), said
    assert not any("needs more memory than the budget" in line for line in said), said
    assert tiled <= untiled // 8, (tiled / untiled, said)
