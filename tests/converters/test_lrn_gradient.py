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


@pytest.mark.parametrize("size", [5, 3, 1])
def test_bf16_lrn_matches_the_float64_formula_to_bf16_rounding(size):
    # A bf16 dream's LRN sums its channel window as one matrix product (fp32 accumulation): forward and backward
    # against a float64 run of the same function, within a few bf16 roundings (2**-8 relative each).
    x = torch.randn(1, 24, 9, 11, dtype=torch.float64) * 30
    weights = torch.randn(1, 24, 9, 11, dtype=torch.float64)
    results = []
    for dtype in (torch.float64, torch.bfloat16):
        picture = x.to(dtype).contiguous(memory_format=torch.channels_last).requires_grad_(True)
        y = CrossChannelLRN.apply(picture, size, 1e-2, 0.75, 1.0)
        (grad,) = torch.autograd.grad((y * weights.to(dtype)).sum(), picture)
        results.append((y.double(), grad.double()))
    (y64, g64), (y16, g16) = results
    assert ((y16 - y64).abs() / y64.abs().max()).max() < 2e-2
    assert ((g16 - g64).abs() / g64.abs().max()).max() < 3e-2
