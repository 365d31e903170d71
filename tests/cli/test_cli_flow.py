"""--flow and --flow-quality on the command line: parsed, checked in one line, run in modes 0 and 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdream_torch.cli.app import parse_flags
from deepdream_torch.video.flow import Flow
from tests.cli.cli_helpers import decoded_frames, one_line_error, run, write_model

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


@pytest.mark.usefixtures("tiny")
def test_mode_0_and_mode_2_dream_with_flow(clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import deepdream_torch.video.dream_run as dream_run

    seen: list[Flow] = []
    real = dream_run.run_dream
    monkeypatch.setattr(dream_run, "run_dream", lambda *a, **k: seen.append(k["flow"]) or real(*a, **k))
    import deepdream_torch.video.dream_folder as dream_folder
    import deepdream_torch.video.stream as stream

    monkeypatch.setattr(stream, "run_dream", dream_run.run_dream)
    monkeypatch.setattr(dream_folder, "run_dream", dream_run.run_dream)
    streamed = run("-e", str(clip), *TINY, "--flow", "dis", "-ef", "4")
    assert streamed.exit_code == 0, streamed.output
    (video,) = Path("data/dream_video").glob("my_video-DeepDream__*.mp4")
    assert decoded_frames(video).shape[0] == 4
    assert run("--mode", "1", "-e", str(clip)).exit_code == 0
    folder = run("--mode", "2", "-e", str(clip), *TINY, "--flow", "farneback", "--restart")
    assert folder.exit_code == 0, folder.output
    assert seen == [Flow("dis", "fast"), Flow("farneback", "fast")]
