"""LRN's hand-written backward against numerical differentiation (the dream needs exact input gradients)."""

import pytest
import torch

from deepdream_torch.converters.lrn import CrossChannelLRN


@pytest.mark.parametrize(("size", "alpha", "beta", "k"), [(5, 1e-2, 0.75, 1.0), (3, 0.5, 0.6, 2.0), (1, 0.3, 1.0, 1.0)])
def test_across_channel_backward_matches_finite_differences(size, alpha, beta, k):
    x = torch.randn(2, 7, 4, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: CrossChannelLRN.apply(t, size, alpha, beta, k), (x,))


def test_backward_is_the_same_in_channels_last_layout():
    x = (torch.randn(1, 16, 9, 11) * 20).requires_grad_(True)
    y = CrossChannelLRN.apply(x, 5, 1e-4, 0.75, 1.0)
    (dense,) = torch.autograd.grad((y * y).sum(), x)
    x_cl = x.detach().contiguous(memory_format=torch.channels_last).requires_grad_(True)
    y_cl = CrossChannelLRN.apply(x_cl, 5, 1e-4, 0.75, 1.0)
    (sparse,) = torch.autograd.grad((y_cl * y_cl).sum(), x_cl)
    torch.testing.assert_close(sparse, dense)
