"""The ascent: each item normalised by its own mean absolute gradient, and pixels clipped to their range."""

import torch

from deepdream_torch.dreaming.loop import ascend, clip


def test_each_item_is_normalised_by_its_own_mean_absolute_gradient():
    x = torch.zeros(2, 1, 1, 2)
    grad = torch.tensor([[[[2.0, -6.0]]], [[[10.0, 30.0]]]])  # mean |g|: 4 and 20
    moved = ascend(x, grad, 1.5)
    expected = torch.tensor([[[[0.75, -2.25]]], [[[0.75, 2.25]]]])
    torch.testing.assert_close(moved, expected)


def test_a_blank_gradient_moves_nothing():
    x = torch.ones(1, 3, 2, 2)
    assert torch.equal(ascend(x, torch.zeros_like(x), 1.5), x)


def test_clip_keeps_each_channel_within_its_pixel_range():
    mean = torch.tensor([104.0, 117.0, 123.0]).view(1, 3, 1, 1)
    x = torch.tensor([-200.0, 0.0, 200.0]).view(1, 3, 1, 1)
    clipped = clip(x, -mean, 255 - mean)
    assert clipped.flatten().tolist() == [-104.0, 0.0, 132.0]
