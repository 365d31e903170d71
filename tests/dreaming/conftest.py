"""Fixtures: small converted nets with random weights, fresh per test (a dream moves its net around)."""

from __future__ import annotations

import pytest

from tests.dreaming.dream_nets import NETS, one_thread, random_net  # noqa: F401 (one_thread: a fixture)


@pytest.fixture
def tiny_net(tmp_path):
    """conv1 (3x3) -> relu -> pool1 (2x2/2) -> conv2 (3x3) -> relu."""
    return random_net(NETS / "tiny.prototxt", tmp_path)


@pytest.fixture
def one_conv_net(tmp_path):
    """One 3x3 convolution with padding: the hand-computed gradient's net."""
    return random_net(NETS / "one_conv.prototxt", tmp_path, seed=3)


@pytest.fixture(scope="session")
def googlenet(shared, tmp_path_factory):
    """The real GoogLeNet prototxt with random weights (for sizes and timing; its dreams mean nothing)."""
    return random_net(
        shared / "models" / "bvlc_googlenet" / "deploy.prototxt", tmp_path_factory.mktemp("googlenet")
    )
