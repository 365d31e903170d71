"""The kernel's contract with a net (``dreaming/dream_net.py``): a converted CaffeNet satisfies it, and so does a
small hand-written module, which dreams by the step rule computed here in numpy."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
import torch

from deepdream_torch import dream_batch
from deepdream_torch.dreaming.dream_net import DreamNet, SteppedNet
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from tests.dreaming.dream_nets import picture

pytestmark = pytest.mark.usefixtures("one_thread")

MEAN = (104.0, 117.0, 123.0)  # B, G, R
MIX = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], np.float32)  # two channels from B, G, R, per pixel


class ChannelMix(torch.nn.Module):
    """A test double: blob ``mix`` is a fixed 1x1 mix of the input's channels; no steps, no recomputation."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.from_numpy(MIX)[:, :, None, None], requires_grad=False)

    def check_blob(self, name: str) -> None:
        if name not in ("data", "mix"):
            raise DreamError(f"no blob {name!r}: give 'mix'")

    def forward(self, x: torch.Tensor, outputs: Sequence[str]) -> dict[str, torch.Tensor]:
        blobs = {"data": x, "mix": torch.nn.functional.conv2d(x, self.weight)}
        return {name: blobs[name] for name in outputs}


def test_a_converted_net_satisfies_both_protocols(tiny_net: torch.nn.Module) -> None:
    assert isinstance(tiny_net, DreamNet) and isinstance(tiny_net, SteppedNet)


def test_a_module_without_blob_names_is_no_dream_net() -> None:
    assert not isinstance(torch.nn.Conv2d(3, 2, 1), DreamNet)


def test_a_test_double_is_a_dream_net_and_dreams_one_step_as_the_rule_says() -> None:
    net = ChannelMix()
    assert isinstance(net, DreamNet) and not isinstance(net, SteppedNet)
    image = picture(12, 16, seed=1)
    settings = DreamSettings(octaves=1, iterations=1, jitter=0, step_size=1.5, mean=MEAN)
    got = dream_batch(image[None], net, "mix", settings, Runtime(device="cpu"), seed=0)[0]

    # By hand: x in net space (BGR minus mean); score ½‖M x‖² per pixel, so its gradient is Mᵀ M x; one step
    # x + step · g / mean|g|, clipped to what a pixel can hold, back to RGB rounded.
    x = image[..., ::-1].astype(np.float64) - np.array(MEAN)
    g = x @ (MIX.T @ MIX).astype(np.float64)
    moved = np.clip(x + 1.5 * g / np.abs(g).mean(), -np.array(MEAN), 255 - np.array(MEAN))
    expected = np.clip(np.rint(moved + np.array(MEAN)), 0, 255)[..., ::-1]
    assert np.abs(got.astype(np.int32) - expected.astype(np.int32)).max() <= 1
    assert np.abs(got.astype(np.int32) - image.astype(np.int32)).mean() > 0.5  # it did move
