"""Recomputing parts of the net in the backward pass (activation checkpointing): the same gradient for less
memory, chosen by the planner before tiles when it is the cheaper way to meet a budget."""

from __future__ import annotations

import contextlib
import itertools
import math

import pytest
import torch

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.loop import gradient
from deepdream_torch.dreaming.memory import loop_bytes, step_memory, with_runtime
from deepdream_torch.dreaming.objectives import l2
from deepdream_torch.dreaming.recompute import recompute_model, segments_of
from deepdream_torch.dreaming.tiles import RECOMPUTE_MARGIN, TilePlan, Tiler
from tests.dreaming.dream_nets import random_net
from tests.dreaming.test_memory import peak_allocated

pytestmark = pytest.mark.usefixtures("one_thread")

LAYER = "inception_4c/output"


def input_gradient(net, x, ranges=()):
    with net.recomputing(ranges):
        return gradient(x, net, [l2(LAYER)], contextlib.nullcontext())


def picture(height: int, width: int) -> torch.Tensor:
    return torch.rand(1, 3, height, width, generator=torch.Generator().manual_seed(0)) * 200 - 100


def test_segments_end_where_one_blob_carries_the_net_forward(googlenet):
    segments = segments_of(googlenet, [LAYER])
    assert segments[0][0] == 0 and segments[-1][1] == googlenet.step_of(LAYER) + 1
    assert all(a[1] == b[0] for a, b in itertools.pairwise(segments))
    for _, stop in segments[:-1]:
        assert len(googlenet.blobs_alive_after(stop - 1)) == 1
    # An inception module has four branches: it is one segment, not four.
    assert any(stop - start > 4 for start, stop in segments)


def test_a_recomputed_gradient_equals_the_kept_one(googlenet):
    x = picture(224, 288)
    model = recompute_model(googlenet, [LAYER])
    plain = input_gradient(googlenet, x)
    for runs in model.choices()[1:]:
        torch.testing.assert_close(input_gradient(googlenet, x, model.ranges(runs)), plain, rtol=1e-5, atol=1e-5)


def test_recomputing_allocates_less_and_within_the_model(googlenet):
    x = picture(224, 448)
    model = recompute_model(googlenet, [LAYER])
    runs = model.choices()[-1]
    input_gradient(googlenet, x, model.ranges(runs))  # warm-up: kernels' first-use allocations
    kept = peak_allocated(lambda: input_gradient(googlenet, x))
    recomputed = peak_allocated(lambda: input_gradient(googlenet, x, model.ranges(runs)))
    assert recomputed < 0.7 * kept
    assert recomputed <= model.bytes(1, 224, 448, runs)
    assert kept <= model.bytes(1, 224, 448)
    assert model.bytes(1, 224, 448) == pytest.approx(step_memory(googlenet, [LAYER]).bytes(1, 224, 448), rel=0.01)


def test_a_budget_a_little_under_one_pass_takes_the_cheaper_of_recomputing_and_two_tiles(googlenet):
    height, width = 1080, 1080
    model = recompute_model(googlenet, [LAYER])
    plain = model.bytes(1, height, width)
    # The least extra work that saves a tenth of the step's memory as the plan counts a recomputation (with its
    # margin, RECOMPUTE_MARGIN): cheaper ways to recompute keep more.
    counted = {runs: model.bytes(1, height, width, runs) * (1 + RECOMPUTE_MARGIN) for runs in model.choices()}
    cheapest = next(runs for runs in model.choices() if counted[runs] < 0.9 * plain)
    budget = loop_bytes(1, height, width) + with_runtime(math.ceil(counted[cheapest]))
    plan = Tiler(googlenet, [LAYER], (1, height, width), torch.device("cpu"), max_memory=budget).plan(1, height, width)
    assert plan != TilePlan(1) and 1 < plan.cost
    # Both fit: recomputing those parts (one more forward of them) or two tiles side by side, each crop the tile
    # and a margin on both sides (spans). The plan costs no more than the cheaper of the two.
    stride, margin = 16, 48  # inception_4c/output's grid, and 15 % of its receptive field on it
    core = -(-width // 2 // stride) * stride  # half the width, on the grid
    two_tiles = 2 * min(width, core + 2 * margin) / width
    assert plan.cost <= min(1 + model.extra_work(cheapest), two_tiles) + 1e-3
    assert f"predicted cost {plan.cost:.2f}x" in plan.describe()


def test_a_budget_the_loop_alone_exceeds_gets_a_plan_at_most_twice_as_slow_and_says_so(googlenet):
    said: list[tuple[int, str]] = []
    budget = loop_bytes(1, 1080, 1920) * 9 // 10  # the loop's copies of the picture alone are more
    tiler = Tiler(googlenet, [LAYER], (1, 1080, 1920), torch.device("cpu"), max_memory=budget,
                  log=lambda level, line: said.append((level, line)))  # fmt: skip
    plan = tiler.plan(1, 1080, 1920)
    assert plan.tile is not None and plan.cost <= 2.0
    # Tiles no smaller than their margins: the old fallback cut 64 x 64 tiles of 32 pixels with 80-pixel margins.
    assert min(plan.tile) >= plan.margin
    assert [level for level, line in said if "needs more memory than the budget" in line] == [1]


def test_a_nets_plans_are_made_once_for_all_its_dreams(tiny_net, monkeypatch):
    made = []
    choose = Tiler._choose
    monkeypatch.setattr(Tiler, "_choose", lambda self, *shape: made.append(shape) or choose(self, *shape))
    for _ in range(3):  # a video: one Tiler per frame, the same budget and sizes
        Tiler(tiny_net, ["conv2"], (1, 64, 96), torch.device("cpu"), tile="auto", max_memory="1GiB").plan(1, 64, 96)
    assert made == [(1, 64, 96)]


GLOBAL_POOL = """name: "global_pool"
layer { name: "data" type: "Input" top: "data" input_param { shape: { dim: 1 dim: 3 dim: 64 dim: 64 } } }
layer { name: "conv" type: "Convolution" bottom: "data" top: "conv" convolution_param { num_output: 4 kernel_size: 3 } }
layer { name: "relu" type: "ReLU" bottom: "conv" top: "conv" }
layer { name: "pool" type: "Pooling" bottom: "conv" top: "pool" pooling_param { pool: AVE global_pooling: true } }
"""


def test_a_blob_that_sees_the_whole_picture_over_budget_says_tiles_cannot_help(tmp_path):
    (tmp_path / "global_pool.prototxt").write_text(GLOBAL_POOL)
    net = random_net(tmp_path / "global_pool.prototxt", tmp_path)
    tiler = Tiler(net, ["pool"], (1, 256, 256), torch.device("cpu"), max_memory=loop_bytes(1, 256, 256) + 1024)
    with pytest.raises(DreamError, match="sees the whole picture"):
        tiler.plan(1, 256, 256)
