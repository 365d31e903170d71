"""The README's video section, read from the README itself and run as written, one command after another in one
folder (a tiny clip, a random-weights net with GoogLeNet's blob names): each exits 0, each dream keeps its own
frames folder and video, and running the whole sequence again resumes everything and writes nothing new."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.cli.cli_helpers import CLIP_FRAMES, decoded_frames, run, write_picture

README = Path(__file__).resolve().parents[2] / "README.md"


def video_section_commands() -> list[str]:
    """Every ``deepdream`` line of the README's "Modes 0 to 3" section's bash blocks, comments cut, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Modes 0 to 3", 1)[1].split("\n### ", 1)[0]
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("deepdream"):
                commands.append(line)
    return commands


def run_readme_line(line: str) -> str:
    program, *args = shlex.split(line)
    assert program == "deepdream"
    result = run(*args)
    assert result.exit_code == 0, f"{line}\n{result.output}"
    return result.output


def snapshot() -> dict[str, object]:
    """Every file under data/ with its modification time (a manifest with its text, which a rerun of mode 2
    records again): what a rerun may not change."""
    return {
        str(p): p.read_text() if p.suffix == ".json" else p.stat().st_mtime_ns
        for p in Path("data").rglob("*")
        if p.is_file()
    }


def test_the_readme_lists_the_commands_a_user_tries_in_this_order() -> None:
    commands = video_section_commands()
    assert commands[0] == "deepdream -e data/videos/my_video.mp4"
    assert any("--layers inception_4c/output" in line for line in commands)
    assert [line.split()[2] for line in commands if "--mode" in line][-3:] == ["1", "2", "3"]


@pytest.mark.usefixtures("googlenet", "clip")
def test_the_video_section_runs_in_order_with_one_video_per_dream() -> None:
    commands = video_section_commands()
    for line in commands:
        for guide in re.findall(r"--gi (\S+)", line):
            write_picture(Path(guide), 40, 24)
    for line in commands:
        run_readme_line(line)

    output = Path("data/output_frames")
    folders = sorted(p.name for p in output.iterdir() if any(p.glob("dream_frame_*.jpg")))
    # The default dream, then one folder per other settings, named after what differs from the default.
    assert folders == [
        "my_video",
        "my_video_guided",
        "my_video_i-6_b-0.85_L-inception_4c-output",
        "my_video_i-6_flow-dis",
    ]
    for folder in folders:
        assert len(list((output / folder).glob("dream_frame_*.jpg"))) == CLIP_FRAMES
    videos = sorted(p.name for p in Path("data/dream_video").glob("*.mp4"))
    expected = ["my_video", "my_video_guided", "my_video_i-6_b-0.85_L-inception_4c-output", "my_video_i-6_flow-dis"]
    prefixes = [
        "my_video-DeepDream__",
        "my_video-DeepDream_guided__",
        "my_video_i-6_b-0.85_L-inception_4c-output-DeepDream__",
        "my_video_i-6_flow-dis-DeepDream__",
    ]
    assert len(videos) == len(expected), videos  # mode 3 found the default dream's video: no second copy
    assert sorted(next(v for v in videos if v.startswith(p)) for p in prefixes) == videos
    for video in Path("data/dream_video").glob("*.mp4"):
        assert decoded_frames(video).shape[0] == CLIP_FRAMES

    # The two dreams with other layers or iterations really differ from the default one.
    default = decoded_frames(next(Path("data/dream_video").glob("my_video-DeepDream__*.mp4"))).astype(int)
    other = decoded_frames(next(Path("data/dream_video").glob("my_video_i-6_b*.mp4"))).astype(int)
    assert abs(default - other).mean() > 1

    before = snapshot()
    for line in commands:
        if "--mode 1" in line:
            continue  # extracting the frames again rewrites them (mode 1 has no settings to resume)
        run_readme_line(line)
    after = snapshot()
    assert after == before  # every dream resumed with nothing left to do: no frame, video or manifest rewritten
