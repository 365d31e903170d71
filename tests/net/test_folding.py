"""Batch norm folded into the convolution before it (``net/folding.py``): inside ``folding()`` a ResNet-shaped net
computes what OpenCV computes layer by layer, in fewer passes, and never folds a chain whose skipped values can be
seen (asked for by name, read by another layer, batch statistics, trainable weights)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from deepdream_torch import dream
from tests.converters.opencv_reference import (
    header,
    opencv_address,
    opencv_outputs,
    random_input,
    relative_error,
    run_ours,
    write_net,
)


def conv(name: str, bottom: str, top: str | None = None, outputs: int = 6) -> str:
    return (
        f'layer {{ name: "{name}" type: "Convolution" bottom: "{bottom}" top: "{top or name}" '
        f"convolution_param {{ num_output: {outputs} kernel_size: 3 pad: 1 }} }}\n"
    )


def in_place(name: str, type_name: str, blob: str, params: str = "") -> str:
    return f'layer {{ name: "{name}" type: "{type_name}" bottom: "{blob}" top: "{blob}" {params} }}\n'


# Two residual blocks as ResNets write them (every BatchNorm, Scale and ReLU in place), a BatchNorm without a
# Scale, one written out of place, one with batch statistics, and a convolution whose output a second layer reads.
RESNET = (
    header(3, 19, 23)
    + conv("c1", "data")
    + in_place("bn1", "BatchNorm", "c1")
    + in_place("sc1", "Scale", "c1", "scale_param { bias_term: true }")
    + in_place("r1", "ReLU", "c1")
    + conv("c2", "c1")
    + in_place("bn2", "BatchNorm", "c2")
    + in_place("sc2", "Scale", "c2", "scale_param { bias_term: false }")
    + 'layer { name: "sum" type: "Eltwise" bottom: "c1" bottom: "c2" top: "sum" }\n'
    + conv("c3", "sum")
    + 'layer { name: "bn3" type: "BatchNorm" bottom: "c3" top: "b3" }\n'
    + 'layer { name: "sc3" type: "Scale" bottom: "b3" top: "s3" scale_param { bias_term: true } }\n'
    + conv("c4", "s3")
    + in_place("bn4", "BatchNorm", "c4")
    + conv("c5", "c4")
    + in_place("bn5", "BatchNorm", "c5", "batch_norm_param { use_global_stats: false }")
    + conv("c6", "c5")
    + 'layer { name: "bn6" type: "BatchNorm" bottom: "c6" top: "b6" }\n'
    + 'layer { name: "peek" type: "ReLU" bottom: "c6" top: "peek" }\n'
    + 'layer { name: "last" type: "Eltwise" bottom: "b6" bottom: "peek" top: "last" }\n'
)
SHAPE = (1, 3, 19, 23)


@pytest.fixture
def resnet(tmp_path: Path):
    deploy, weights = write_net(tmp_path, RESNET, seed=3)
    x = random_input(SHAPE, seed=3)
    net, _ = run_ours(deploy, weights, x, ["last"])
    return net, x, deploy, weights


def ran(net, x: np.ndarray, names: list[str]) -> tuple[dict[str, np.ndarray], set[str]]:
    """The blobs ``names`` of ``net`` on ``x`` inside ``folding()``, and the layers whose modules ran."""
    called: set[str] = set()
    handles = [
        net.module_of(step).register_forward_hook(lambda *_, layer=step.layer: called.add(layer))
        for step in net.steps
    ]
    try:
        with net.folding(), torch.no_grad():
            blobs = net(torch.from_numpy(x), outputs=names)
    finally:
        for handle in handles:
            handle.remove()
    return {name: blob.numpy() for name, blob in blobs.items()}, called


def test_folded_blobs_match_opencv_layer_by_layer(resnet):
    net, x, deploy, weights = resnet
    names = ["c1", "sum", "s3", "c4", "c5", "last"]
    theirs = opencv_outputs(deploy, weights, x, {n: opencv_address(net, n) for n in names})
    for name in names:  # what a dream asks for one blob at a time: the chains before it fold
        ours, _ = ran(net, x, [name])
        assert relative_error(ours[name], theirs[name]) < 1e-5, name


def test_only_chains_whose_skipped_values_nobody_sees_fold(resnet):
    net, x, _, _ = resnet
    _, called = ran(net, x, ["last"])
    # c1-bn1-sc1, c2-bn2-sc2 (in place), c3-bn3-sc3 (out of place, read by nothing else), c4-bn4 (no scale) fold.
    assert not called & {"bn1", "sc1", "bn2", "sc2", "bn3", "sc3", "bn4"}
    # Batch statistics do not fold; c6's output is read by "peek" too, so its batch norm runs.
    assert {"bn5", "bn6", "peek"} <= called


def test_a_chain_folds_only_up_to_what_is_asked_for(resnet):
    net, x, _, _ = resnet
    plain = {name: net(torch.from_numpy(x), outputs=[name])[name].detach().numpy() for name in ["c1", "bn1"]}
    ours, called = ran(net, x, ["c1", "bn1", "last"])
    assert {"bn1", "sc1"} <= called and not called & {"bn2", "sc2"}
    for name in ["c1", "bn1"]:  # the convolution's own output and the batch norm's, as written: not folded
        np.testing.assert_array_equal(ours[name], plain[name])


def test_outside_the_block_and_with_trainable_weights_nothing_folds(resnet):
    net, x, _, _ = resnet
    called: set[str] = set()
    handle = net.module_of(net.steps[1]).register_forward_hook(lambda *_: called.add("bn1"))
    net(torch.from_numpy(x), outputs=["last"])
    assert called == {"bn1"}
    handle.remove()
    net.module_of(net.steps[2]).weight.requires_grad_(True)  # sc1's factor, as if being trained
    _, ran_layers = ran(net, x, ["last"])
    assert {"bn1", "sc1"} <= ran_layers and "bn2" not in ran_layers


def test_the_input_gradient_through_folded_chains_is_the_same(resnet):
    net, x, _, _ = resnet
    gradients = []
    for folding in (False, True):
        picture = torch.from_numpy(x).requires_grad_(True)
        with net.folding() if folding else torch.enable_grad():
            net(picture, outputs=["s3"])["s3"].square().mean().backward()
        gradients.append(picture.grad)
    assert relative_error(gradients[1].numpy(), gradients[0].numpy()) < 1e-5


def test_recomputed_ranges_cut_inside_a_chain_still_fold(resnet):
    net, x, _, _ = resnet
    picture = torch.from_numpy(x).requires_grad_(True)
    called: set[str] = set()
    handle = net.module_of(net.steps[1]).register_forward_hook(lambda *_: called.add("bn1"))
    try:  # ranges cut right after c1 and after c2: inside their chains
        with net.folding(), net.recomputing([(0, 1), (1, 5), (5, 9)]):
            net(picture, outputs=["sum"])["sum"].square().mean().backward()
    finally:
        handle.remove()
    assert not called
    again = torch.from_numpy(x).requires_grad_(True)
    net(again, outputs=["sum"])["sum"].square().mean().backward()
    assert relative_error(picture.grad.numpy(), again.grad.numpy()) < 1e-5


def test_a_dream_runs_folded_and_the_net_runs_as_written_after_it(resnet):
    net, x, _, _ = resnet
    picture = np.random.default_rng(0).integers(0, 256, (40, 48, 3), dtype=np.uint8)
    called: set[str] = set()

    def seen(_module, inputs, _output) -> None:
        if not inputs[0].is_meta:  # on pictures: the kernel's plans and probes run layers on placeholder tensors
            called.add("bn1")

    handle = net.module_of(net.steps[1]).register_forward_hook(seen)
    try:
        dream(picture, net, "sum", octaves=1, iterations=2, device="cpu", precision="fp32", seed=0)
        assert not called  # the dream ran c1-bn1-sc1 as one convolution
        net(torch.from_numpy(x), outputs=["sum"])
        assert called == {"bn1"}  # and the net after it as written
    finally:
        handle.remove()
    assert not net.folds and not net._folded  # the folded weights went with the block
