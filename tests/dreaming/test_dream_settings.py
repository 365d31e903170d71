import pytest

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.settings import DreamSettings
from deepdream_torch.errors import DeepDreamError


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("octaves", 0, "octaves must be at least 1"),
        ("octave_scale", 1.0, "octave scale must be greater than 1"),
        ("octave_scale", 0.5, "octave scale must be greater than 1"),
        ("iterations", 0, "iterations must be at least 1"),
        ("step_size", 0.0, "step size must be greater than 0"),
        ("step_size", -1.5, "step size must be greater than 0"),
        ("jitter", -1, "jitter must be 0 or more"),
    ],
)
def test_out_of_range_settings_are_refused_with_the_rule(field, value, message):
    with pytest.raises(DreamError, match=message) as raised:
        DreamSettings(**{field: value})
    assert isinstance(raised.value, DeepDreamError)  # so the CLI turns it into one line and exit code 2
    assert str(value) in str(raised.value)


def test_defaults_are_the_original_tools():
    assert DreamSettings() == DreamSettings(4, 1.4, 10, 32, 1.5, (104.0, 117.0, 123.0))
