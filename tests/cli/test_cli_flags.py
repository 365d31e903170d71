"""Every flag of the original deepdream.py, in its short and long form, lands in the right field."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from deepdream_torch.cli.app import parse_flags
from deepdream_torch.cli.flags import Flags

# (short, long, value on the command line, Flags field, parsed value)
FLAGS = [
    (None, "--mode", "3", "mode", 3),
    ("-i", "--input", "frames", "input_dir", Path("frames")),
    ("-e", "--extract", "v.mp4", "extract", Path("v.mp4")),
    ("-sp", "--single-picture", "hulk.jpg", "single_picture", Path("hulk.jpg")),
    ("-o", "--output", "out", "output_dir", Path("out")),
    ("-it", "--image-type", "png", "image_type", "png"),
    ("-v", "--verbose", "1", "verbose", 1),
    ("-gi", "--guide-image", "g.jpg", "guide_image", Path("g.jpg")),
    ("-sf", "--start-frame", "5", "start_frame", 5),
    ("-ef", "--end-frame", "9", "end_frame", 9),
    ("-p", "--model-path", "models/x", "model_path", Path("models/x")),
    ("-m", "--model-name", "x.caffemodel", "model_name", "x.caffemodel"),
    ("-oct", "--octaves", "2", "octaves", 2),
    ("-octs", "--octavescale", "1.8", "octave_scale", 1.8),
    ("-itr", "--iterations", "6", "iterations", 6),
    ("-j", "--jitter", "8", "jitter", 8),
    ("-s", "--stepsize", "2.5", "step_size", 2.5),
    ("-b", "--blend", "loop", "blend", "loop"),
    ("-l", "--layers", "conv1", "layers", ("conv1",)),
    (None, "--device", "cpu", "device", "cpu"),
    (None, "--seed", "7", "seed", 7),
    (None, "--precision", "bf16", "precision", "bf16"),
    (None, "--crf", "23", "crf", 23),
]


@pytest.mark.parametrize(("short", "long", "text", "field", "value"), FLAGS, ids=[f[1] for f in FLAGS])
def test_short_and_long_forms(short: str | None, long: str, text: str, field: str, value: object) -> None:
    for spelling in filter(None, (short, long)):
        flags = parse_flags([spelling, text])
        assert getattr(flags, field) == value, spelling
        assert getattr(Flags(), field) != value  # the test value differs from the default


def test_defaults_are_the_original_ones() -> None:
    flags = parse_flags(["-e", "v.mp4"])
    assert (flags.mode, flags.image_type, flags.verbose, flags.start_frame, flags.end_frame) == (0, "jpg", 2, 1, None)
    assert flags.model_name == "bvlc_googlenet.caffemodel"
    assert (flags.octaves, flags.octave_scale, flags.iterations, flags.jitter, flags.step_size) == (4, 1.4, 10, 32, 1.5)
    assert (flags.blend, flags.layers) == ("0.5", ("customloop",))
    assert (flags.restart, flags.chain, flags.device, flags.precision) == (False, False, "auto", "auto")


def test_switches() -> None:
    flags = parse_flags(["--restart", "--chain", "-sp", "p.jpg"])
    assert flags.restart and flags.chain


@pytest.mark.parametrize("spelling", ["--guide_image", "--gi", "-gi", "--guide-image", "--guide-image="])
def test_guide_image_spellings(spelling: str) -> None:
    argv = [spelling + "g.jpg"] if spelling.endswith("=") else [spelling, "g.jpg"]
    assert parse_flags(argv).guide_image == Path("g.jpg")


def test_underscore_spellings_of_the_original_readme() -> None:
    flags = parse_flags(["--start_frame", "3", "--end_frame", "4", "--single_picture", "p.jpg", "--model_name", "m"])
    assert (flags.start_frame, flags.end_frame, flags.single_picture, flags.model_name) == (3, 4, Path("p.jpg"), "m")


def test_several_layers_after_one_flag_then_more_flags() -> None:
    argv = "-p models/places205CNN -m places205CNN_iter_300000_upgraded.caffemodel -sp /data/single_pictures/hulk.jpg "
    argv += "--layers conv1 pool1 norm1 conv2 pool2 norm2 conv3 conv4 conv5 pool5 -itr 3"
    flags = parse_flags(shlex.split(argv))
    assert flags.layers == ("conv1", "pool1", "norm1", "conv2", "pool2", "norm2", "conv3", "conv4", "conv5", "pool5")
    assert flags.iterations == 3
    assert flags.model_path == Path("models/places205CNN")


def test_layers_repeated_and_mixed() -> None:
    assert parse_flags(["-l", "a", "b", "--layers", "c", "-l=d"]).layers == ("a", "b", "c", "d")


def test_original_readme_custom_params_line() -> None:
    flags = parse_flags(shlex.split("-e /data/videos/my_video.mp4 -itr 6 --blend 0.85 --layers inception_4c/output"))
    assert (flags.extract, flags.iterations, flags.blend, flags.layers) == (
        Path("/data/videos/my_video.mp4"), 6, "0.85", ("inception_4c/output",))


def test_attached_short_values_as_argparse() -> None:
    flags = parse_flags(["-s1.2", "-j0", "-oct=2"])
    assert (flags.step_size, flags.jitter, flags.octaves) == (1.2, 0, 2)


def test_image_type_ignores_case() -> None:
    assert parse_flags(["-it", "PNG"]).image_type == "png"
