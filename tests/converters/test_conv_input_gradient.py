"""A strided convolution of a few channels takes its input gradient through space to depth: the same gradient as
torch's own convolution backward, for any kernel, stride, padding and picture size."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from deepdream_torch.converters.conv import _SpaceToDepthGradient


@pytest.mark.parametrize(
    ("channels", "kernel", "stride", "pad", "size"),
    [(3, 7, 2, 3, (54, 96)), (3, 7, 2, 3, (55, 97)), (1, 5, 3, 0, (40, 41)), (4, 3, 2, 1, (17, 30)),
     (2, 4, 2, 2, (9, 9)), (3, 11, 4, 0, (67, 67))],
)  # fmt: skip
def test_the_input_gradient_equals_torchs(channels, kernel, stride, pad, size):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(2, channels, *size, generator=generator, dtype=torch.float64)
    weight = torch.randn(8, channels, kernel, kernel, generator=generator, dtype=torch.float64)
    bias = torch.randn(8, generator=generator, dtype=torch.float64)
    plain = x.clone().requires_grad_(True)
    out = F.conv2d(plain, weight, bias, stride, pad)
    upstream = torch.randn(out.shape, generator=generator, dtype=torch.float64)
    (expected,) = torch.autograd.grad(out, plain, upstream)
    ours = x.clone().requires_grad_(True)
    out_ours = _SpaceToDepthGradient.apply(ours, weight, bias, stride, (pad, pad))
    torch.testing.assert_close(out_ours, out)
    (got,) = torch.autograd.grad(out_ours, ours, upstream)
    torch.testing.assert_close(got, expected)


def test_a_googlenet_like_first_layer_keeps_the_channels_last_layout():
    x = torch.randn(1, 3, 54, 96).contiguous(memory_format=torch.channels_last).requires_grad_(True)
    weight = torch.randn(64, 3, 7, 7)
    out = _SpaceToDepthGradient.apply(x, weight, None, 2, (3, 3))
    (grad,) = torch.autograd.grad(out.square().sum(), x)
    assert grad.is_contiguous(memory_format=torch.channels_last)
    plain = x.detach().requires_grad_(True)
    (expected,) = torch.autograd.grad(F.conv2d(plain, weight, None, 2, 3).square().sum(), plain)
    # float32 sums in another order: close against the gradient's scale, not element by element
    torch.testing.assert_close(grad, expected, rtol=1e-4, atol=1e-6 * float(expected.abs().max()))
