"""--flow and --flow-quality on the command line: parsed, checked in one line, run in modes 0 and 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepdream_torch.cli.app import parse_flags
from tests.cli.cli_helpers import decoded_frames, one_line_error, run, write_model, write_picture
from tests.video.video_clips import read_png

TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel", "-l", "conv1", "-oct", "1", "-itr", "1", "-v", "1"]


@pytest.fixture
def tiny(workdir: Path) -> Path:
    return write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv")])


def test_flow_flags_are_parsed_and_off_by_default() -> None:
    flags = parse_flags(["--flow", "farneback", "--flow-quality", "medium"])
    assert (flags.flow, flags.flow_quality) == ("farneback", "medium")
    assert (parse_flags([]).flow, parse_flags([]).flow_quality) == ("off", "fast")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--flow", "optical"], ["--flow", "optical"]),
        (["--flow-quality", "best"], ["--flow-quality", "best"]),
        (["--flow", "dis", "-b", "1"], ["--blend 1", "blend below 1"]),
    ],
)
def test_mistakes_are_one_line_and_exit_2(clip: Path, args: list[str], words: list[str]) -> None:
    line = one_line_error(run("-e", str(clip), *args))
    assert all(word in line for word in words), line


def test_flow_with_a_single_picture_is_refused_not_ignored(workdir: Path) -> None:
    picture = write_picture(workdir / "picture.png")
    line = one_line_error(run("-sp", str(picture), "--flow", "dis"))
    assert "--flow dis" in line and "-sp" in line, line


@pytest.mark.usefixtures("tiny")
def test_mode_0_and_mode_2_dream_with_flow(clip: Path) -> None:
    streamed = run("-e", str(clip), *TINY, "--flow", "dis", "-ef", "4")
    assert streamed.exit_code == 0, streamed.output
    (video,) = Path("data/dream_video").glob("my_video-DeepDream__*.mp4")
    assert decoded_frames(video).shape[0] == 4
    assert run("--mode", "1", "-e", str(clip), "-it", "png").exit_code == 0
    for out, flow in (("plain", "off"), ("flowed", "farneback")):
        dreamed = run("--mode", "2", "-e", str(clip), *TINY, "-it", "png", "-o", out, "--flow", flow)
        assert dreamed.exit_code == 0, dreamed.output
    plain, flowed = (sorted(Path(out, "my_video").glob("dream_frame_*.png")) for out in ("plain", "flowed"))
    assert len(plain) == len(flowed) == 6
    # The sample clip moves: frame 1 is dreamed alone either way, the later ones from the warped dream.
    assert plain[0].read_bytes() == flowed[0].read_bytes()
    assert read_png(plain[-1]).tolist() != read_png(flowed[-1]).tolist()


@pytest.mark.usefixtures("tiny")
def test_flow_is_recorded_beside_the_frames_and_each_flow_dreams_in_its_own_folder(clip: Path) -> None:
    base = ["-e", str(clip), *TINY, "-ef", "2"]
    assert run(*base).exit_code == 0
    flowing = run(*base, "--flow", "dis")
    assert flowing.exit_code == 0, flowing.output
    assert "(flow: (none) → dis" in flowing.stderr, flowing.stderr
    (frames,) = Path("data/output_frames").glob("my_video_*flow-dis")
    settings = json.loads((frames / "deepdream_settings.json").read_text())["settings"]
    assert (settings["flow"], settings["flow_quality"]) == ("dis", "fast")
    medium = run(*base, "--flow", "dis", "--flow-quality", "medium")
    assert medium.exit_code == 0, medium.output
    (other,) = Path("data/output_frames").glob("my_video_*flow-dis_fq-medium")
    assert json.loads((other / "deepdream_settings.json").read_text())["settings"]["flow_quality"] == "medium"
    assert f"frames: {frames} (2 frames)" in run(*base, "--flow", "dis").stdout
