"""dream() and dream_batch() on small converted nets: the step rule, batching, seeds, tiny octaves, errors."""

import contextlib

import numpy as np
import pytest
import torch

from deepdream_torch import dream, dream_batch
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.guide import GuideCache
from deepdream_torch.dreaming.loop import dream_tensor, item_generators
from deepdream_torch.dreaming.objectives import Objective, l2
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.net.random_weights import random_weights
from tests.dreaming.dream_nets import NETS, picture

CPU = Runtime(device="cpu")

MEAN = np.array([104.0, 117.0, 123.0])


def hand_gradient(x, weight, bias):
    """d(0.5 * ||conv(x)||^2)/dx for a 3x3 convolution with padding 1, by explicit loops over every product."""
    _channels, height, width = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    blob = np.zeros((weight.shape[0], height, width))
    for o in range(weight.shape[0]):
        for i in range(height):
            for j in range(width):
                blob[o, i, j] = (weight[o] * padded[:, i : i + 3, j : j + 3]).sum() + bias[o]
    grad = np.zeros_like(padded)
    for o in range(weight.shape[0]):
        for i in range(height):
            for j in range(width):
                grad[:, i : i + 3, j : j + 3] += weight[o] * blob[o, i, j]
    return grad[:, 1:-1, 1:-1]


def test_one_step_follows_the_rule_with_a_hand_computed_gradient(one_conv_net):
    image = picture(6, 7, seed=1)
    # The weights as written into the caffemodel, not as the converted net holds them.
    ((_, _, (weight, bias)),) = random_weights(NETS / "one_conv.prototxt", seed=3)
    x = image[:, :, ::-1].transpose(2, 0, 1).astype(np.float64) - MEAN[:, None, None]
    grad = hand_gradient(x, weight, bias)
    # A large step so that a wrong sign, scale or normalisation cannot hide inside uint8 rounding.
    stepped = x + 40.0 / np.abs(grad).mean() * grad
    stepped = np.clip(stepped, -MEAN[:, None, None], 255 - MEAN[:, None, None])
    expected = (stepped + MEAN[:, None, None])[::-1].transpose(1, 2, 0)
    assert 0 < np.mean(np.isin(expected, (0, 255))) < 0.5  # some pixels reach the clip, most do not

    result = dream(
        image, one_conv_net, "conv", octaves=1, iterations=1, jitter=0, step_size=40.0, device="cpu", precision="fp32"
    )
    assert result.dtype == np.uint8 and result.shape == image.shape
    assert np.abs(result - expected).max() <= 0.5 + 1e-3


def test_a_batch_gives_each_item_what_it_gets_alone(tiny_net):
    pictures = np.stack([picture(20, 24, seed=s) for s in range(3)])
    layers = ["conv2", "conv1", "conv2"]
    # 5 octaves: the smallest (5x6) is under conv2's 7-pixel minimum, so conv2's items join one octave later.
    options = {"octaves": 5, "iterations": 3, "jitter": 4, "device": "cpu"}
    settings, runtime = DreamSettings(octaves=5, iterations=3, jitter=4), Runtime(device="cpu")
    batch = dream_batch(pictures, tiny_net, layers, settings, runtime, seed=[11, 12, 13])
    for i, layer in enumerate(layers):
        alone = dream(pictures[i], tiny_net, layer, seed=11 + i, **options)
        difference = np.abs(batch[i].astype(int) - alone)
        assert difference.max() <= 1  # batched convolutions may round differently in the last bit
        assert np.mean(difference == 0) > 0.99
        assert np.abs(alone.astype(int) - pictures[i]).mean() > 5  # and the dream did change the picture


def test_an_int_seed_gives_item_i_the_seed_plus_i(tiny_net):
    pictures = np.stack([picture(16, 16, seed=s) for s in range(2)])
    batch = dream_batch(pictures, tiny_net, "conv2", DreamSettings(octaves=2, iterations=2), CPU, seed=40)
    alone = dream(pictures[1], tiny_net, "conv2", octaves=2, iterations=2, seed=41, device="cpu")
    assert np.abs(batch[1].astype(int) - alone).max() <= 1


def test_same_seed_same_dream_other_seed_other_dream(tiny_net):
    image = picture(24, 24)
    options = {"octaves": 2, "iterations": 3, "jitter": 8, "device": "cpu"}
    first = dream(image, tiny_net, "conv2", seed=7, **options)
    again = dream(image, tiny_net, "conv2", seed=7, **options)
    other = dream(image, tiny_net, "conv2", seed=8, **options)
    np.testing.assert_array_equal(first, again)
    assert np.abs(first.astype(int) - other).mean() > 1


def test_octaves_too_small_for_the_layer_are_left_out_and_logged(tiny_net):
    image = picture(12, 30)  # octaves at scale 2: 12x30, 6x15, 3x8, 2x4; conv2 needs 7x7, conv1 3x3
    messages = []
    options = {"octave_scale": 2.0, "iterations": 2, "seed": 3, "device": "cpu", "precision": "fp32"}
    asked = dream(
        image, tiny_net, "conv2", octaves=4, log=lambda level, text: messages.append((level, text)), **options
    )
    assert messages == [
        (2, "l2(conv2): 1 of 4 octaves (smaller ones are under the 7x7 pixels the net needs)")
    ]
    np.testing.assert_array_equal(asked, dream(image, tiny_net, "conv2", octaves=1, **options))
    messages.clear()
    dream(
        image, tiny_net, "conv1", octaves=4, log=lambda level, text: messages.append((level, text)), **options
    )
    assert [text for _, text in messages] == [
        "l2(conv1): 3 of 4 octaves (smaller ones are under the 3x3 pixels the net needs)"
    ]


def test_a_picture_smaller_than_the_net_can_take_is_a_clear_error(tiny_net):
    with pytest.raises(DreamError, match=r"picture \(6x6\) is too small .* at least 7x7"):
        dream(picture(6, 6), tiny_net, "conv2", device="cpu")


def test_progress_counts_every_step(tiny_net):
    seen = []
    dream(picture(16, 16), tiny_net, "conv2", octaves=2, iterations=3, device="cpu", progress=seen.append)
    assert [(p.octave, p.iteration, p.done) for p in seen] == [
        (1, 1, 1),
        (1, 2, 2),
        (1, 3, 3),
        (2, 1, 4),
        (2, 2, 5),
        (2, 3, 6),
    ]
    assert {(p.octaves, p.iterations, p.total) for p in seen} == {(2, 3, 6)}


def test_guide_blobs_are_computed_once_per_guide_and_layer(tiny_net):
    cache = GuideCache()
    guide = picture(20, 20, seed=9)
    options = {
        "octaves": 1,
        "iterations": 1,
        "step_size": 10.0,
        "device": "cpu",
        "guide": guide,
        "guide_cache": cache,
    }
    first = dream(picture(16, 16), tiny_net, "conv2", seed=1, **options)
    dream_batch(
        np.stack([picture(16, 16, seed=2)] * 3), tiny_net, "conv2", DreamSettings(octaves=1, iterations=1,
        step_size=10.0), CPU, guide=guide, guide_cache=cache,
    )  # fmt: skip
    assert cache.computed == 1
    dream(picture(16, 16), tiny_net, "conv1", **options)
    dream(picture(16, 16), tiny_net, "conv2", **{**options, "guide": picture(20, 20, seed=10)})
    assert cache.computed == 3
    unguided = dream(
        picture(16, 16), tiny_net, "conv2", seed=1, octaves=1, iterations=1, step_size=10.0, device="cpu"
    )
    assert np.abs(first.astype(int) - unguided).mean() > 2  # the guide changed the direction of the step


def test_a_custom_objective_replaces_the_layer(tiny_net):
    image = picture(16, 16)
    options = {"octaves": 1, "iterations": 2, "seed": 4, "device": "cpu"}
    # Scaling an objective does not change the dream: each step is normalised by its mean gradient.
    scaled = dream(image, tiny_net, objective=3.0 * l2("conv2"), **options)
    plain = dream(image, tiny_net, "conv2", **options)
    assert np.abs(scaled.astype(int) - plain).max() <= 1
    opposed = dream(image, tiny_net, objective=-l2("conv2"), **options)
    assert np.abs(opposed.astype(int) - plain).mean() > 1


def test_the_loop_never_asks_the_device_for_a_value(tiny_net):
    # Reading a value (item, tolist, bool, float) or moving to the host (cpu, numpy) would stall a GPU each step.
    class Watch(torch.overrides.TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.reads = []

        def __torch_function__(self, func, types, args=(), kwargs=None):
            if getattr(func, "__name__", "") in ("item", "tolist", "cpu", "numpy", "__bool__", "__float__"):
                self.reads.append(func.__name__)
            return func(*args, **(kwargs or {}))

    x = torch.randn(2, 3, 16, 16) * 50
    watch = Watch()
    with watch:
        dreamed = dream_tensor(
            x,
            tiny_net,
            [l2("conv2"), l2("conv1")],
            DreamSettings(octaves=2, iterations=2),
            item_generators(0, 2),
            contextlib.nullcontext(),
        )
    assert watch.reads == []
    assert dreamed.shape == x.shape and not torch.equal(dreamed, x)


def test_detail_from_every_octave_carries_into_the_next(tiny_net):
    # An objective whose gradient is 1 at every input pixel: each step adds exactly step_size everywhere, jitter
    # or not, and a constant detail survives every resize. So the result is the picture plus
    # octaves * iterations * step_size, but only if each octave's detail reaches the next.
    lift = Objective("sum(data)", ("data",), lambda blobs: blobs["data"].sum())
    image = np.random.default_rng(5).integers(50, 150, size=(20, 26, 3), dtype=np.uint8)
    result = dream(
        image, tiny_net, objective=lift, octaves=3, iterations=2, step_size=1.5, seed=0, device="cpu"
    )
    np.testing.assert_array_equal(result, image + 9)


def test_jitter_never_moves_the_picture(tiny_net):
    # Every shift is undone after its step: small steps leave the picture where it was, not rolled by 12 pixels.
    image = picture(24, 30, seed=2)
    result = dream(image, tiny_net, "conv2", octaves=1, iterations=3, jitter=12, step_size=0.5, seed=1)
    assert np.abs(result.astype(int) - image).mean() < 2.0
    assert (
        np.abs(np.roll(image, 1, axis=1).astype(int) - image).mean() > 50
    )  # what a one-pixel roll would cost


def test_an_unknown_layer_names_the_close_ones(tiny_net):
    with pytest.raises(DreamError, match=r"cannot dream: unknown blob 'conv3' .*closest: conv2, conv1"):
        dream(picture(16, 16), tiny_net, "conv3", device="cpu")
    with pytest.raises(DreamError, match="'conv_2'"):
        dream_batch(np.stack([picture(16, 16)] * 2), tiny_net, ["conv1", "conv_2"], runtime=CPU)


@pytest.mark.parametrize(
    "setting, message",
    [
        ({"octaves": 0}, "octaves must be at least 1"),
        ({"octave_scale": 1.0}, "octave scale must be greater than 1"),
        ({"iterations": 0}, "iterations must be at least 1"),
        ({"step_size": 0.0}, "step size must be greater than 0"),
        ({"precision": "fp16", "device": "cpu"}, "fp16 is for CUDA"),
    ],
)
def test_settings_out_of_range_stop_the_dream_with_the_rule(tiny_net, setting, message):
    with pytest.raises(DreamError, match=message):
        dream(picture(16, 16), tiny_net, "conv2", **setting)


def test_a_batch_needs_one_size_and_one_layer_per_picture(tiny_net, tmp_path):
    with pytest.raises(DreamError, match="one size"):
        dream_batch([picture(16, 16), picture(16, 17)], tiny_net, "conv2", runtime=CPU)
    with pytest.raises(DreamError, match="2 layers given for 3 pictures"):
        dream_batch(np.stack([picture(16, 16)] * 3), tiny_net, ["conv1", "conv2"], runtime=CPU)
    with pytest.raises(DreamError, match="cannot read picture"):
        dream(tmp_path / "nowhere.jpg", tiny_net, "conv2", device="cpu")


def test_bf16_on_the_cpu_dreams_close_to_fp32(tiny_net):
    image = picture(20, 20)
    options = {"octaves": 2, "iterations": 3, "seed": 2, "device": "cpu"}
    full = dream(image, tiny_net, "conv2", precision="fp32", **options).astype(int)
    half = dream(image, tiny_net, "conv2", precision="bf16", **options).astype(int)
    change = np.abs(full - image).mean()
    assert np.abs(half - full).mean() < 0.25 * change


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("precision", ["fp32", "bf16", "fp16"])
def test_cuda_dreams_like_the_cpu(tiny_net, precision):
    image = picture(32, 40)
    options = {"octaves": 2, "iterations": 3, "seed": 2}
    cpu = dream(image, tiny_net, "conv2", device="cpu", precision="fp32", **options).astype(int)
    gpu = dream(image, tiny_net, "conv2", device="cuda", precision=precision, **options).astype(int)
    assert np.abs(gpu - cpu).mean() < 0.25 * np.abs(cpu - image).mean()


def test_a_pixel_pushed_past_white_is_held_there_before_the_next_step(tiny_net):
    # The gradient pulls every pixel towards 220. By hand, with step 100: 200 -> 300, clipped to 255; then the
    # pull (220 - 255 < 0) takes it 100 down, to 155. Without the clip it would come back to 200.
    target = torch.tensor([220.0 - 104, 220.0 - 117, 220.0 - 123]).view(1, 3, 1, 1)
    pull = Objective("pull", ("data",), lambda blobs: -0.5 * (blobs["data"] - target).square().sum())
    image = np.full((10, 12, 3), 200, dtype=np.uint8)
    result = dream(image, tiny_net, objective=pull, octaves=1, iterations=2, jitter=0, step_size=100.0)
    np.testing.assert_array_equal(result, np.full_like(image, 155))
