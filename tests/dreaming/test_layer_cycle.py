import pytest

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.layers import layer_for_frame


def test_layers_cycle_by_frame_number_as_the_original_counted():
    layers = ["a", "b", "c"]
    # The Docker deepdream.py indexed its list with (frame - 1): frame 1 dreams the first layer.
    assert [layer_for_frame(layers, n) for n in range(1, 8)] == ["a", "b", "c", "a", "b", "c", "a"]


def test_one_layer_is_used_for_every_frame():
    assert {layer_for_frame(["inception_4c/output"], n) for n in range(1, 10)} == {"inception_4c/output"}


def test_no_layer_is_an_error():
    with pytest.raises(DreamError, match="at least one layer"):
        layer_for_frame([], 1)
