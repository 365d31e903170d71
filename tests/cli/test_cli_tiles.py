"""--tile and --max-memory: a bad value is one line and exit code 2; a good one reaches the dream."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.cli_helpers import one_line_error, run, write_model, write_picture

CLIP = "data/videos/my_video.mp4"
TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--tile", "0"], ["--tile", "auto, off"]),
        (["--tile", "abc"], ["--tile", "'abc'", "auto, off"]),
        (["--max-memory", "2XB"], ["--max-memory", "'2XB'", "2GiB"]),
        (["--max-memory", "-1"], ["--max-memory", "'-1'"]),
        (["--max-memory", "0"], ["--max-memory", "more than 0"]),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) and value[0].startswith("--") else None,
)
def test_a_bad_value_is_one_line_and_exit_code_2(args: list[str], words: list[str]) -> None:
    line = one_line_error(run("-e", CLIP, *args))
    assert line.startswith("deepdream: error: ")
    for word in words:
        assert word in line


def test_tiles_and_budget_reach_the_single_picture_dream(workdir: Path) -> None:
    write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])
    write_picture(workdir / "data/p.jpg", width=96, height=64)
    result = run("-sp", "data/p.jpg", *TINY, "-l", "conv2", "-oct", "1", "-itr", "1", "--device", "cpu",
                 "--tile", "32", "--max-memory", "1GiB", "-v", "2")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "96x64: tiles of 32x32" in " ".join(result.output.split())
    assert "predicted cost" in " ".join(result.output.split())  # -v 2 says what the plan is expected to cost


def test_tiles_and_budget_reach_the_zoom_animation(workdir: Path) -> None:
    write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])
    write_picture(workdir / "data/p.jpg", width=96, height=64)
    result = run("-sp", "data/p.jpg", *TINY, "-l", "conv2", "-oct", "1", "-itr", "1", "--device", "cpu",
                 "--zoom-frames", "2", "--tile", "32", "--max-memory", "1GiB", "-v", "2")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "96x64: tiles of 32x32" in " ".join(result.output.split())
