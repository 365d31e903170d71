"""Objectives: L2, guided matching, weighted sums and channel objectives, by their gradients."""

import numpy as np
import pytest
import torch

from deepdream_torch.dreaming import objectives
from deepdream_torch.dreaming.objectives import best_matches, guided, l2


def gradient(objective, blobs):
    leaves = {name: blob.clone().requires_grad_(True) for name, blob in blobs.items()}
    objective(leaves).backward()
    return {name: leaf.grad for name, leaf in leaves.items()}


def test_l2_gradient_is_the_activation():
    blob = torch.randn(2, 4, 3, 5)
    torch.testing.assert_close(gradient(l2("a"), {"a": blob})["a"], blob)


def test_guided_pulls_each_position_to_the_guide_vector_of_largest_dot_product():
    # Positions (1, 0) and (0, 1); guide vectors (0.9, 0), (0, 3) and (5, 5). By hand: (1, 0) has dot products
    # 0.9, 0, 5 -> (5, 5) (not its nearest vector, (0.9, 0)); (0, 1) has 0, 3, 5 -> (5, 5) too. With (1, -1)
    # as a third position: 0.9, -3, 0 -> (0.9, 0).
    blob = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, -1.0]]).view(1, 2, 1, 3)
    guide = torch.tensor([[0.9, 0.0, 5.0], [0.0, 3.0, 5.0]]).view(2, 1, 3)
    grad = gradient(guided("a", guide), {"a": blob})["a"]
    expected = torch.tensor([[5.0, 5.0, 0.9], [5.0, 5.0, 0.0]]).view(1, 2, 1, 3)
    torch.testing.assert_close(grad, expected)


def test_guided_matches_each_item_of_a_batch_on_its_own():
    blob = torch.tensor([[1.0], [0.0], [0.0], [1.0]]).view(2, 2, 1, 1)  # item 0: (1, 0); item 1: (0, 1)
    guide = torch.tensor([[4.0, 0.0], [0.0, 2.0]]).view(2, 1, 2)  # vectors (4, 0), (0, 2)
    grad = gradient(guided("a", guide), {"a": blob})["a"]
    assert grad.flatten().tolist() == [4.0, 0.0, 0.0, 2.0]


def test_matching_in_chunks_finds_the_same_vectors_as_brute_force(monkeypatch):
    monkeypatch.setattr(objectives, "_MATCH_CHUNK_ELEMENTS", 7)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 23)).astype(np.float32)
    guide = rng.normal(size=(5, 11)).astype(np.float32)
    picked = best_matches(torch.from_numpy(x), torch.from_numpy(guide)).numpy()
    for n in range(2):
        best = (x[n].T @ guide).argmax(axis=1)
        np.testing.assert_array_equal(picked[n], guide[:, best])


def test_objectives_compose_by_weighted_sums():
    a, b = torch.randn(1, 2, 3, 3), torch.randn(1, 3, 2, 2)
    combined = l2("a") + 2 * l2("b") - 0.5 * l2("a")
    assert combined.layers == ("a", "b")
    assert combined.name == "l2(a) + 2 * l2(b) + -1 * 0.5 * l2(a)"
    grads = gradient(combined, {"a": a, "b": b})
    torch.testing.assert_close(grads["a"], 0.5 * a)
    torch.testing.assert_close(grads["b"], 2 * b)
    assert combined({"a": a, "b": b}).item() == pytest.approx(
        (0.25 * a.square().sum() + b.square().sum()).item(), rel=1e-5
    )


def test_channels_gradient_is_zero_outside_the_chosen_channels(tiny_net):
    from deepdream_torch.dreaming.objectives import channels

    x = torch.randn(1, 3, 32, 32, requires_grad=True)
    blobs = tiny_net(x, outputs=["conv2"])
    chosen = channels("conv2", [2, 5])
    grad = gradient(chosen, {"conv2": blobs["conv2"].detach()})["conv2"]
    blob = blobs["conv2"].detach()
    outside = [c for c in range(16) if c not in (2, 5)]
    assert grad[:, outside].abs().max().item() == 0.0
    torch.testing.assert_close(grad[:, [2, 5]], blob[:, [2, 5]])  # l2's gradient, the activation, on the chosen
    # And through the net to the picture: the input gradient equals that of l2 on the two channels alone.
    chosen({"conv2": blobs["conv2"]}).backward()
    y = x.detach().clone().requires_grad_(True)
    (0.5 * tiny_net(y, outputs=["conv2"])["conv2"][:, [2, 5]].square().sum()).backward()
    torch.testing.assert_close(x.grad, y.grad)


def test_channels_composes_with_l2_and_weighs_the_rest():
    from deepdream_torch.dreaming.objectives import channels

    blob = torch.randn(2, 4, 3, 5)
    both = channels("a", [1], rest_weight=0.25) + 0.5 * l2("a")
    grad = gradient(both, {"a": blob})["a"]
    factor = torch.tensor([0.25, 1.0, 0.25, 0.25]).view(1, 4, 1, 1) + 0.5
    torch.testing.assert_close(grad, blob * factor)
    assert both.layers == ("a",)


def test_a_channel_past_the_blob_names_its_channel_count():
    from deepdream_torch.dreaming.errors import DreamError
    from deepdream_torch.dreaming.objectives import channels

    with pytest.raises(DreamError, match="channel 9 is out of range for a: it has 4 channels"):
        channels("a", [1, 9])({"a": torch.zeros(1, 4, 2, 2)})
