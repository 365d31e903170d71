"""Dream settings: the original tool's defaults, and out-of-range values refused with the rule they broke."""

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
        # what a larger number breaks: a billion octaves loop, a roll past int64, steps that saturate every pixel
        ("octaves", 65, "octaves must be at most 64"),
        ("octaves", 2.5, "octaves must be a whole number"),
        ("octave_scale", 1e308, "octave scale must be greater than 1 and at most 10"),
        ("octave_scale", float("inf"), "octave scale must be a finite number"),
        ("octave_scale", float("nan"), "octave scale must be a finite number"),
        ("iterations", 10**11, "iterations must be at most 1000"),
        ("step_size", float("nan"), "step size must be a finite number"),
        ("step_size", 256.0, "step size must be greater than 0 and at most 255"),
        ("jitter", 10**30, "jitter must be at most 10000 pixels"),
        ("mean", (104.0, float("nan"), 123.0), "mean must be a finite number"),
        ("mean", (104.0, 1e9, 123.0), "mean must be within 0..255"),
    ],
)
def test_out_of_range_settings_are_refused_with_the_rule(field, value, message):
    with pytest.raises(DreamError, match=message) as raised:
        DreamSettings(**{field: value})
    assert isinstance(raised.value, DeepDreamError)  # so the CLI turns it into one line and exit code 2
    assert str(value) in str(raised.value)


def test_defaults_are_the_original_tools():
    assert DreamSettings() == DreamSettings(4, 1.4, 10, 32, 1.5, (104.0, 117.0, 123.0))
