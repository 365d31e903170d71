"""Jitter: each item's own wrap-around shift within the jitter, and seeds per item."""

import numpy as np
import torch

from deepdream_torch.dreaming.loop import draw_shift, item_generators, roll_each


def test_each_item_rolls_by_its_own_shift_with_wrap_around():
    x = torch.arange(2 * 1 * 4 * 5, dtype=torch.float32).view(2, 1, 4, 5)
    shifts = [(1, -2), (-3, 4)]
    rolled = roll_each(x, shifts)
    for i, (down, right) in enumerate(shifts):
        np.testing.assert_array_equal(rolled[i].numpy(), np.roll(x[i].numpy(), (down, right), axis=(1, 2)))


def test_shifts_stay_within_the_jitter():
    generator = item_generators(7, 1)[0]
    shifts = [draw_shift(generator, 3) for _ in range(500)]
    assert {s for pair in shifts for s in pair} == set(range(-3, 4))


def test_an_int_seed_gives_item_i_the_seed_plus_i():
    batch = item_generators(10, 3)
    alone = item_generators([12], 1)[0]
    assert [draw_shift(batch[2], 32) for _ in range(5)] == [draw_shift(alone, 32) for _ in range(5)]


def test_numpy_integer_seeds_count_as_one_seed():
    batch = item_generators(np.int64(10), 2)
    alone = item_generators(11, 1)[0]
    assert [draw_shift(batch[1], 32) for _ in range(5)] == [draw_shift(alone, 32) for _ in range(5)]


def test_unseeded_generators_differ():
    first, second = item_generators(None, 2)
    assert [draw_shift(first, 1000) for _ in range(4)] != [draw_shift(second, 1000) for _ in range(4)]
