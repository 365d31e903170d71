"""Tiled dream steps: equal to untiled ones when the margin covers the receptive field; fewer pictures per pass,
then tiles, when the budget asks; an out-of-memory error retried in smaller tiles."""

from __future__ import annotations

import contextlib
import random

import numpy as np
import pytest
import torch

from deepdream_torch import dream, dream_batch
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.loop import dream_step
from deepdream_torch.dreaming.memory import loop_bytes, step_memory, with_runtime
from deepdream_torch.dreaming.objectives import l2
from deepdream_torch.dreaming.receptive_field import reach
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.dreaming.tiles import TilePlan, Tiler, parse_tile, spans
from tests.dreaming.dream_nets import MEAN, picture, random_net

pytestmark = pytest.mark.usefixtures("one_thread")


def one_step(net, x, tiler=None, seed=5, layer="conv2"):
    settings = DreamSettings(jitter=4)
    generators = [random.Random(seed + i) for i in range(len(x))]
    objectives = [l2(layer)] * len(x)
    amp = contextlib.nullcontext()
    return dream_step(x, net, objectives, generators, settings, -MEAN, 255 - MEAN, amp, tiler)


def net_space(n: int, height: int, width: int) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(1).uniform(-100, 100, (n, 3, height, width)).astype(np.float32))


def test_the_tiny_nets_reach_is_its_receptive_field_on_its_grid(tiny_net):
    # conv1 3x3, pool 2x2 stride 2, conv2 3x3: a conv2 unit sees 3 + 1 + 2 * 2 = 8 pixels, its units 2 apart.
    seen = reach(tiny_net, ["conv2"])
    assert seen.stride == 2
    assert 8 <= seen.size <= 8 + 2 * seen.stride


# A blob no picture under 276 pixels reaches: conv 9x9 stride 3, then a 90x90 max pool.
WIDE_POOL = """name: "wide_pool"
layer { name: "data" type: "Input" top: "data" input_param { shape: { dim: 1 dim: 3 dim: 300 dim: 300 } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 1 kernel_size: 9 stride: 3 } }
layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool" pooling_param { pool: MAX kernel_size: 90 stride: 1 } }
"""


def test_the_reach_of_a_blob_only_pictures_over_256_pixels_reach(tmp_path):
    (tmp_path / "wide_pool.prototxt").write_text(WIDE_POOL)
    net = random_net(tmp_path / "wide_pool.prototxt", tmp_path)
    seen = reach(net, ["pool"])  # the probes are at least as wide as the blob needs
    assert seen.stride == 3
    assert 9 + 89 * 3 <= seen.size <= 9 + 89 * 3 + 2 * seen.stride


@pytest.mark.parametrize(("length", "core", "margin", "stride"),
                         [(37, 8, 4, 1), (64, 16, 0, 1), (5, 8, 2, 1), (100, 30, 50, 1), (100, 24, 8, 8), (61, 16, 4, 4)])
def test_tiles_cover_the_picture_once_in_crops_of_one_length_within_it(length, core, margin, stride):
    found = spans(length, core, margin, stride=stride)
    covered = [i for span in found for i in range(length)[span.core]]
    assert covered == list(range(length))
    size = min(length, core + 2 * margin)
    for span in found:
        assert 0 <= span.crop.start and span.crop.stop <= length and span.crop.start % stride == 0
        # At least the margin on each side where the picture goes on.
        assert span.crop.start <= max(0, span.core.start - margin)
        assert span.crop.stop >= min(length, span.core.stop + margin)
        assert range(span.crop.start, span.crop.stop)[span.inside] == range(span.core.start, span.core.stop)
    # One crop length; the crops reaching the picture's end up to stride - 1 longer, to start on the grid.
    inner = {span.crop.stop - span.crop.start for span in found if span.crop.stop < length or span.crop.start == 0}
    last = {span.crop.stop - span.crop.start for span in found if span.crop.stop == length and span.crop.start > 0}
    assert inner <= {size} and len(last) <= 1 and all(size <= n < size + stride for n in last)


def test_a_tiled_step_equals_the_untiled_step_when_the_margin_covers_the_receptive_field(tiny_net):
    x = net_space(2, 37, 53)
    tiler = Tiler(tiny_net, ["conv2"], (2, 37, 53), torch.device("cpu"), tile=8, margin_share=1.0)
    plan = tiler.plan(2, 37, 53)
    assert plan.tile is not None and plan.tile[0] < 37 and plan.margin >= 8
    torch.testing.assert_close(one_step(tiny_net, x, tiler), one_step(tiny_net, x), rtol=1e-5, atol=1e-4)


def test_without_a_margin_the_tiles_show(tiny_net):
    # The comparison above can fail: tiles with no context give another gradient along their borders.
    x = net_space(1, 37, 53)
    tiler = Tiler(tiny_net, ["conv2"], (1, 37, 53), torch.device("cpu"), tile=8, margin_share=0.0)
    assert (one_step(tiny_net, x, tiler) - one_step(tiny_net, x)).abs().max() > 0.1


def test_tile_off_dreams_exactly_as_a_budget_that_fits(tiny_net):
    image = picture(40, 56)
    settings = {"octaves": 2, "iterations": 3, "seed": 2, "device": "cpu"}
    off = dream(image, tiny_net, "conv2", tile="off", **settings)
    roomy = dream(image, tiny_net, "conv2", max_memory="4GiB", **settings)
    assert np.array_equal(off, roomy)


def test_a_picture_too_large_for_the_budget_dreams_in_tiles(tiny_net):
    height, width = 120, 160
    memory = step_memory(tiny_net, ["conv2"])
    budget = loop_bytes(1, height, width) + memory.bytes(1, height, width) // 3
    said: list[str] = []
    image = picture(height, width)
    settings = {"octaves": 1, "iterations": 4, "seed": 2, "device": "cpu"}
    tiled = dream(image, tiny_net, "conv2", max_memory=budget, log=lambda _, m: said.append(m), **settings)
    whole = dream(image, tiny_net, "conv2", tile="off", **settings)
    assert any("tiles of" in line for line in said), said
    # Not bit for bit (the default margin is a share of the receptive field) but the same dream: it moved the
    # picture as far, and to within a few levels of the untiled result.
    moved = np.abs(whole.astype(float) - image).mean()
    assert moved > 5
    assert np.abs(tiled.astype(float) - whole).mean() < 0.1 * moved


def test_a_batch_over_budget_goes_fewer_pictures_per_pass_before_tiles(tiny_net):
    memory = step_memory(tiny_net, ["conv2"])
    budget = loop_bytes(4, 64, 64) + with_runtime(memory.bytes(2, 64, 64)) + 1
    tiler = Tiler(tiny_net, ["conv2"], (4, 64, 64), torch.device("cpu"), max_memory=budget)
    assert tiler.plan(4, 64, 64) == TilePlan(2)
    assert tiler.plan(1, 64, 64) == TilePlan(1)


class OutOfMemoryAbove:
    """A stand-in for a small GPU: a dream step's forward (the one keeping blobs for a backward pass) raises CUDA's
    out-of-memory error on more than ``pixels`` pixels; probes without gradients and plans on meta tensors pass."""

    def __init__(self, net: torch.nn.Module, pixels: int):
        self.forward, self.pixels, self.largest, self.raised = net.forward, pixels, 0, 0

    def __call__(self, x, outputs=None):
        seen = x.shape[0] * x.shape[2] * x.shape[3]
        if x.requires_grad and x.device.type != "meta":
            if seen > self.pixels:
                self.raised += 1
                raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
            self.largest = max(self.largest, seen)
        return self.forward(x, outputs=outputs)


def test_out_of_memory_is_retried_in_smaller_tiles_and_said_once(tiny_net):
    image = picture(96, 128)
    device = OutOfMemoryAbove(tiny_net, 64 * 64)
    tiny_net.forward = device
    said: list[tuple[int, str]] = []
    dreamed = dream(image, tiny_net, "conv2", octaves=2, iterations=3, seed=1, device="cpu",
                    max_memory="64GiB", log=lambda level, m: said.append((level, m)))  # fmt: skip
    assert device.raised >= 1 and device.largest <= 64 * 64
    retries = [(level, m) for level, m in said if "out of memory" in m]
    assert len(retries) == 1 and retries[0][0] == 2
    assert dreamed.shape == image.shape and np.abs(dreamed.astype(float) - image).mean() > 1


def test_a_batch_out_of_memory_goes_one_picture_per_pass_first(tiny_net):
    device = OutOfMemoryAbove(tiny_net, 64 * 64)
    tiny_net.forward = device
    images = np.stack([picture(64, 64, seed) for seed in range(4)])
    dream_batch(
        images, tiny_net, "conv2", DreamSettings(octaves=1, iterations=2), Runtime("cpu", max_memory="64GiB"), seed=0
    )
    assert device.largest == 64 * 64  # whole pictures, one per pass: no tiles were needed


def test_out_of_memory_in_the_smallest_tiles_is_one_error(tiny_net):
    tiny_net.forward = OutOfMemoryAbove(tiny_net, 16)
    with pytest.raises(DreamError, match="out of memory") as raised:
        dream(picture(96, 128), tiny_net, "conv2", octaves=1, iterations=1, device="cpu", max_memory="64GiB")
    assert raised.value.exit_code == 1


def test_tile_off_lets_out_of_memory_through(tiny_net):
    tiny_net.forward = OutOfMemoryAbove(tiny_net, 64 * 64)
    with pytest.raises(torch.cuda.OutOfMemoryError):
        dream(picture(96, 128), tiny_net, "conv2", octaves=1, iterations=1, device="cpu", tile="off")


@pytest.mark.parametrize("value", ["0", "abc", "-3", "1.5", ""])
def test_bad_tile_values_say_what_to_write(value):
    with pytest.raises(DreamError, match="auto, off"):
        parse_tile(value)


def test_tile_values():
    assert [parse_tile(v) for v in ("auto", "OFF", "512", 256)] == ["auto", "off", 512, 256]


def test_tiles_of_a_given_side_predict_the_work_their_margins_add(tiny_net):
    plan = Tiler(tiny_net, ["conv2"], (1, 64, 96), torch.device("cpu"), tile=32).plan(1, 64, 96)
    rows, cols = -(-64 // plan.tile[0]), -(-96 // plan.tile[1])
    # Every crop is an interior tile's: the tile and a margin on each side (spans), at the picture's ends too.
    computed = rows * min(64, plan.tile[0] + 2 * plan.margin) * cols * min(96, plan.tile[1] + 2 * plan.margin)
    assert plan.margin > 0 and plan.cost == pytest.approx(computed / (64 * 96), abs=1e-3) and plan.cost > 1
