"""The memory model: sizes as users write them, default budgets, and plans that real steps stay within."""

from __future__ import annotations

import contextlib
import random

import pytest
import torch
from torch.profiler import ProfilerActivity, profile

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.loop import dream_step
from deepdream_torch.dreaming.loop import gradient as loop_gradient
from deepdream_torch.dreaming.memory import (
    available_ram,
    default_budget,
    loop_bytes,
    parse_size,
    planned_bytes,
    step_memory,
)
from deepdream_torch.dreaming.objectives import l2
from deepdream_torch.dreaming.settings import DreamSettings
from deepdream_torch.dreaming.tiles import Tiler
from tests.dreaming.dream_nets import MEAN

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


def test_the_profiler_peak_sees_a_known_allocation():
    assert 4_000_000 <= peak_allocated(lambda: torch.ones(1000, 1000).sum()) < 4_100_000


def step(net, x, tiler):
    generators = [random.Random(3)]
    settings = DreamSettings()
    return dream_step(x, net, [l2("conv2")], generators, settings, -MEAN, 255 - MEAN, contextlib.nullcontext(), tiler)


def gradient(net, x, tiler):
    return tiler.gradient(x, lambda items, crop: loop_gradient(crop, net, [l2("conv2")], contextlib.nullcontext()))


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
