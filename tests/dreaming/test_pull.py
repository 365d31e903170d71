"""The pull towards a given picture inside every step: nothing where its mask or weight is 0, the step rule where
it is not, tiled as untiled, and each item of a batch pulled by its own."""

from __future__ import annotations

import contextlib
import random
from dataclasses import replace

import numpy as np
import pytest
import torch

from deepdream_torch import dream_batch
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.loop import dream_step, dream_tensor, item_generators
from deepdream_torch.dreaming.objectives import l2
from deepdream_torch.dreaming.pull import Pull, PullField
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.dreaming.tiles import Tiler
from tests.dreaming.dream_nets import MEAN, picture

pytestmark = pytest.mark.usefixtures("one_thread")

SETTINGS = {
    "settings": DreamSettings(octaves=2, iterations=3, jitter=4),
    "runtime": Runtime("cpu"),
    "seed": 7,
}
FAST = SETTINGS["settings"]


def test_a_zero_weight_or_a_zero_mask_dreams_bit_for_bit_as_no_pull(tiny_net):
    images = np.stack([picture(30, 40, seed=s) for s in range(2)])
    target = picture(30, 40, seed=9)
    plain = dream_batch(images, tiny_net, "conv2", **SETTINGS)
    zero_weight = [Pull(target, np.ones((30, 40), np.float32), 0.0)] * 2
    zero_mask = [Pull(target, np.zeros((30, 40), np.float32), 0.7)] * 2
    assert np.array_equal(dream_batch(images, tiny_net, "conv2", pulls=zero_weight, **SETTINGS), plain)
    assert np.array_equal(dream_batch(images, tiny_net, "conv2", pulls=zero_mask, **SETTINGS), plain)
    assert np.array_equal(dream_batch(images, tiny_net, "conv2", pulls=[None, None], **SETTINGS), plain)


def test_a_step_moves_that_share_of_the_way_to_the_target_where_the_mask_trusts_it(tiny_net):
    x = torch.from_numpy(np.random.default_rng(1).uniform(-60, 60, (1, 3, 24, 32)).astype(np.float32))
    target = torch.from_numpy(np.random.default_rng(2).uniform(-60, 60, (1, 3, 24, 32)).astype(np.float32))
    mask = torch.zeros(1, 1, 24, 32)
    mask[..., :, 16:] = 1.0
    settings = DreamSettings(jitter=3)
    mean = torch.as_tensor(np.asarray(MEAN), dtype=torch.float32).view(1, 3, 1, 1)
    low, high = -mean, 255 - mean

    def step(field):
        return dream_step(
            x,
            tiny_net,
            [l2("conv2")],
            [random.Random(3)],
            settings,
            low,
            high,
            contextlib.nullcontext(),
            None,
            field,
        )

    free = step(None)
    pulled = step(PullField(target, 0.25 * mask))
    # Hand-computed rule: where the mask is 1, a quarter of the way from the unpulled step to the target.
    expected = torch.clamp(free - 0.25 * (free - target), low, high)
    torch.testing.assert_close(pulled[..., 16:], expected[..., 16:], rtol=0, atol=1e-4)
    assert torch.equal(pulled[..., :16], free[..., :16])


def test_a_full_pull_lands_on_the_target(tiny_net):
    image = picture(30, 40, seed=1)
    target = picture(30, 40, seed=2)
    out = dream_batch(
        image[None], tiny_net, "conv2", pulls=[Pull(target, np.ones((30, 40)), 1.0)], **SETTINGS
    )
    assert np.abs(out[0].astype(int) - target).max() <= 1


def test_each_item_is_pulled_by_its_own(tiny_net):
    images = np.stack([picture(30, 40, seed=s) for s in range(2)])
    pull = Pull(picture(30, 40, seed=5), np.ones((30, 40), np.float32), 0.3)
    both = dream_batch(images, tiny_net, "conv2", pulls=[pull, None], **SETTINGS)
    alone = dream_batch(images[:1], tiny_net, "conv2", pulls=[pull], **SETTINGS)
    free = dream_batch(images[1:], tiny_net, "conv2", **{**SETTINGS, "seed": SETTINGS["seed"] + 1})
    assert np.abs(both[0].astype(int) - alone[0]).max() <= 1
    assert np.abs(both[1].astype(int) - free[0]).max() <= 1


def test_a_tiled_dream_with_a_pull_equals_the_untiled_one(tiny_net):
    x = torch.from_numpy(np.random.default_rng(1).uniform(-100, 100, (2, 3, 37, 53)).astype(np.float32))
    target = torch.from_numpy(np.random.default_rng(2).uniform(-100, 100, (2, 3, 37, 53)).astype(np.float32))
    strength = torch.from_numpy(np.random.default_rng(3).uniform(0, 0.5, (2, 1, 37, 53)).astype(np.float32))
    tiler = Tiler(tiny_net, ["conv2"], (2, 37, 53), torch.device("cpu"), tile=8, margin_share=1.0)
    assert tiler.plan(2, 37, 53).tile is not None

    def run(tiles):
        return dream_tensor(
            x, tiny_net, [l2("conv2")] * 2, DreamSettings(octaves=2, iterations=3, jitter=4), item_generators(5, 2),
            contextlib.nullcontext(), tiler=tiles, pull=PullField(target, strength),
        )  # fmt: skip

    pulled = run(tiler)
    torch.testing.assert_close(pulled, run(None), rtol=1e-5, atol=1e-3)
    free = dream_tensor(
        x, tiny_net, [l2("conv2")] * 2, DreamSettings(octaves=2, iterations=3, jitter=4), item_generators(5, 2),
        contextlib.nullcontext(), tiler=tiler,
    )  # fmt: skip
    assert (pulled - free).abs().max() > 1.0  # the pull did act


@pytest.mark.parametrize("weight", [-0.1, 1.5, float("nan")])
def test_a_weight_outside_0_to_1_is_refused(weight):
    with pytest.raises(DreamError, match="from 0 to 1"):
        Pull(np.zeros((4, 4, 3), np.uint8), np.ones((4, 4)), weight)


def test_a_pull_of_another_size_is_refused(tiny_net):
    with pytest.raises(DreamError, match="picture's size"):
        dream_batch(
            picture(30, 40)[None],
            tiny_net,
            "conv2",
            pulls=[Pull(picture(20, 40), np.ones((20, 40)), 0.5)],
            **SETTINGS,
        )


def test_a_pull_with_fewer_octaves_dreams_its_picture_at_its_finest_octaves_only(tiny_net):
    images = np.stack([picture(40, 48, seed=s) for s in range(2)])
    refine = Pull(picture(40, 48, seed=5), np.zeros((40, 48), np.float32), 0.0, octaves=1)
    both = dream_batch(
        images, tiny_net, "conv2", pulls=[None, refine], **{**SETTINGS, "settings": replace(FAST, octaves=3)}
    )
    finest = dream_batch(
        images[1:],
        tiny_net,
        "conv2",
        **{**SETTINGS, "settings": replace(FAST, octaves=1), "seed": SETTINGS["seed"] + 1},
    )
    whole = dream_batch(images[:1], tiny_net, "conv2", **{**SETTINGS, "settings": replace(FAST, octaves=3)})
    assert np.abs(both[1].astype(int) - finest[0]).max() <= 1
    assert np.abs(both[0].astype(int) - whole[0]).max() <= 1
    assert (
        np.abs(
            finest[0].astype(int)
            - dream_batch(
                images[1:], tiny_net, "conv2", **{**SETTINGS, "settings": replace(FAST, octaves=3), "seed": 8}
            )[0]
        ).max()
        > 5
    )
