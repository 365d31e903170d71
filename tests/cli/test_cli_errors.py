"""A user's mistake ends in one line that says what is wrong and what to do, exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.cli.cli_helpers import one_line_error, run, write_model, write_picture

CLIP = "data/videos/my_video.mp4"
TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel"]

# (arguments, words the one line must contain)
MISTAKES = [
    (["--mode", "7"], ["--mode", "5"]),
    (["-e", CLIP, "-oct", "0"], ["octaves", "at least 1"]),
    (["-e", CLIP, "-octs", "0.9"], ["octave scale", "greater than 1"]),
    (["-e", CLIP, "-itr", "0"], ["iterations"]),
    (["-e", CLIP, "-s", "0"], ["step size"]),
    (["-e", CLIP, "-j", "-3"], ["jitter"]),
    (["-e", CLIP, "-b", "2"], ["blend", "0..1"]),
    (["-e", CLIP, "-b", "sometimes"], ["'loop' or 'random'"]),
    (["-e", CLIP, "-it", "gif"], ["gif", "jpg", "png"]),
    (["-e", CLIP, "-v", "3"], ["--verbose"]),
    (["-e", CLIP, "--crf", "80"], ["--crf"]),
    (["-e", CLIP, "-sf", "0"], ["--start-frame"]),
    (["-e", CLIP, "-sf", "5", "-ef", "2"], ["end frame 2", "start frame 5"]),
    (["-e", CLIP, "--device", "tpu"], ["unknown device", "cpu"]),
    (["-e", CLIP, "--device", "cpu", "--precision", "fp16"], ["fp16", "bf16"]),
    (["-e", CLIP, "--precision", "fp8"], ["--precision"]),
    (["--bogus"], ["No such option", "--bogus"]),
    (["--oct", "3"], ["ambiguous", "--octaves", "--octavescale"]),
    (["-e"], ["-e", "requires an argument"]),
    (["-e", CLIP, "-l"], ["-l", "requires an argument"]),
    (["-itr", "6"], ["mode 0 needs a video", "-e"]),
    (["--mode", "1"], ["mode 1 needs a video", "-e"]),
    (["-e", "data/videos/missing.mp4"], ["missing.mp4", "does not exist"]),
    (["-sp", "data/single_pictures/missing.jpg"], ["missing.jpg", "does not exist"]),
    (["-e", CLIP, "-gi", "data/missing_guide.jpg"], ["guide picture data/missing_guide.jpg does not exist"]),
    (["-e", CLIP, "-gi", "data"], ["guide picture data is a folder"]),
    (["-e", CLIP, *TINY, "-l", "conv9"], ["conv9", "conv1"]),  # unknown layer: close names suggested
    (["-sp", "data/p.jpg", *TINY, "-l", "inception_4c/output"], ["inception_4c/output"]),
    (["-e", CLIP, "-p", "models/none", "-m", "none.caffemodel"], ["models/none", "does not exist"]),
    (["-e", CLIP, "-p", "models/tiny", "-m", "other.caffemodel"], ["other.caffemodel"]),
    (["-e", CLIP, "-m", "my_model.caffemodel"], ["my_model", "does not exist"]),
    (["--mode", "5", "-m", "nothere.caffemodel"], ["nothere", "does not exist"]),
    (["--mode", "2", "-i", "data/no_frames", *TINY, "-l", "conv1"], ["data/no_frames"]),
    (["--mode", "3", "-o", "data/no_frames"], ["data/no_frames"]),
    (["layers", "-p", "models/none"], ["models/none"]),
    (["zoo", "get", "bvlc_googlenett"], ["bvlc_googlenet"]),
    (["zoo", "nope"], ["No such command"]),
    (["convert", "missing.prototxt", "missing.caffemodel"], ["missing.prototxt", "does not exist"]),
    (["convert", "models/tiny/deploy.prototxt", "models/tiny/tiny.caffemodel"], ["nothing to write", "-o"]),
    (["convert", "models/tiny/deploy.prototxt", "models/tiny/tiny.caffemodel", "--onnx", "t.onnx"], ["--until"]),
    (["convert", "models/tiny/deploy.prototxt", "models/tiny/tiny.caffemodel", "-o", "t.st", "--until", "x"], ["x"]),
    (["frobnicate"], ["No such command", "frobnicate"]),
    (["-e", CLIP], ["cannot download bvlc_googlenet", "DEEPDREAM_MODELS="]),  # offline, no local copy
]
if not torch.cuda.is_available():
    MISTAKES.append((["-e", CLIP, "--device", "cuda"], ["no CUDA GPU", "--device cpu"]))


@pytest.fixture
def inputs(workdir: Path, clip: Path) -> Path:
    write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])
    write_picture(workdir / "data/p.jpg")
    return workdir


@pytest.mark.usefixtures("inputs")
@pytest.mark.parametrize(("args", "words"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_one_line_and_exit_code_2(args: list[str], words: list[str]) -> None:
    line = one_line_error(run(*args))
    assert line.startswith("deepdream: error: ")
    for word in words:
        assert word in line


@pytest.mark.usefixtures("inputs")
def test_nothing_is_written_before_a_mistake_is_found() -> None:
    one_line_error(run("-e", CLIP, *TINY, "-l", "conv1", "-oct", "0"))
    one_line_error(run("-e", CLIP, *TINY, "-l", "conv9"))
    assert not Path("data/output_frames").exists() and not Path("data/dream_video").exists()


def test_a_bare_command_shows_the_help() -> None:
    result = run()
    assert result.exit_code == 0
    for panel in ("Input and output", "Model", "Dream", "Machine and messages", "Commands"):
        assert panel in result.output
    for flag in ("-sp", "--single-picture", "-oct", "--octavescale", "-itr", "-gi", "--restart", "--chain"):
        assert flag in result.output


def test_offline_demo_says_how_to_use_a_local_copy() -> None:
    line = one_line_error(run("demo"))
    assert "bvlc_googlenet" in line and "DEEPDREAM_MODELS=" in line
    assert "deepdream demo -p FOLDER -m NAME.caffemodel" in line and "make demo MODEL=" in line


def test_zoo_alone_shows_its_help() -> None:
    result = run("zoo")
    assert result.exit_code == 0
    assert "list" in result.output and "get" in result.output and "error" not in result.output
