"""--flow and --flow-quality on the command line: parsed, checked in one line, run in modes 0 and 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepdream_torch.cli.app import parse_flags
from deepdream_torch.video.flow import DEFAULT_JITTER_SEED, DEFAULT_REFINE_OCTAVES, DEFAULT_TEMPORAL
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
        (["--flow", "dis", "--temporal", "1.5"], ["--temporal", "less than or equal to 1"]),
        (["--flow", "dis", "--temporal", "-0.1"], ["--temporal", "greater than or equal to 0"]),
        (["--flow", "dis", "--temporal", "nan"], ["--temporal"]),
        (["--flow", "dis", "--temporal", "much"], ["--temporal", "valid number"]),
        (["--temporal", "0.3"], ["--temporal", "--flow"]),
        (["--flow", "dis", "--jitter-seed", "random"], ["--jitter-seed", "random"]),
        (["--flow", "dis", "--refine-octaves", "-1"], ["--refine-octaves", "greater than or equal to 0"]),
        (["--refine-octaves", "1"], ["--refine-octaves", "--flow"]),
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
        # Frame seeds as without --flow, so that frame 1 is comparable (--flow's default is one fixed seed).
        dreamed = run(
            "--mode", "2", "-e", str(clip), *TINY, "-it", "png", "-o", out, "--flow", flow, "--jitter-seed", "frame"
        )  # fmt: skip
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
    # The defaults with --flow are recorded; a rerun that asks for other ones dreams in a folder of its own.
    recorded = (settings["temporal"], settings["jitter_seed"], settings["refine_octaves"])
    assert recorded == (DEFAULT_TEMPORAL, DEFAULT_JITTER_SEED, DEFAULT_REFINE_OCTAVES)
    weaker = run(*base, "--flow", "dis", "--temporal", "0.05")
    assert weaker.exit_code == 0, weaker.output
    (pulled,) = Path("data/output_frames").glob("my_video_*flow-dis_tw-0.05")
    assert json.loads((pulled / "deepdream_settings.json").read_text())["settings"]["temporal"] == 0.05
    medium = run(*base, "--flow", "dis", "--flow-quality", "medium")
    assert medium.exit_code == 0, medium.output
    (other,) = Path("data/output_frames").glob("my_video_*flow-dis_fq-medium")
    assert json.loads((other / "deepdream_settings.json").read_text())["settings"]["flow_quality"] == "medium"
    assert f"frames: {frames} (2 frames)" in run(*base, "--flow", "dis").stdout


@pytest.mark.usefixtures("tiny")
def test_a_flow_folder_dreamed_before_the_temporal_term_resumes_with_it_turned_off(clip: Path) -> None:
    base = ["-e", str(clip), *TINY, "-ef", "2", "--flow", "dis", "--temporal", "0", "--jitter-seed", "frame"]
    base += ["--refine-octaves", "0"]
    assert run(*base).exit_code == 0
    settings = json.loads(Path("data/output_frames/my_video/deepdream_settings.json").read_text())["settings"]
    # Exactly what --flow dis recorded before --temporal and --jitter-seed existed.
    assert not {"temporal", "jitter_seed", "refine_octaves"} & set(settings)
    again = run(*base)  # the same folder, every frame already there: nothing is dreamed again
    assert "frames: data/output_frames/my_video (2 frames)" in again.stdout, again.output
    assert "nothing to do" in again.stderr and "other settings" not in again.stderr


@pytest.mark.usefixtures("tiny")
def test_verbose_2_ends_with_the_runs_warping_error_beside_the_footages(clip: Path) -> None:
    done = run("-e", str(clip), *TINY[:-2], "-v", "2", "-ef", "3", "--flow", "dis")
    assert done.exit_code == 0, done.output
    assert "warping error" in done.stderr and "the source footage's" in done.stderr, done.stderr
    quiet = run("-e", str(clip), *TINY, "-ef", "3", "--flow", "dis", "--restart")
    assert "warping error" not in quiet.stderr
