"""Reruns never mix two dreams: the settings are recorded beside the frames, a rerun with other settings is refused
with one line naming what changed, ``--restart`` dreams again with the new ones, and the same settings resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.cli_helpers import decoded_frames, one_line_error, run, write_model, write_picture

FRAMES = Path("data/output_frames/my_video")
BASE = ["-p", "models/tiny", "-m", "tiny.caffemodel", "-l", "conv1", "-oct", "1", "-itr", "1", "-ef", "2", "-v", "1"]  # fmt: skip


@pytest.fixture(autouse=True)
def models(workdir: Path) -> None:
    write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")], seed=0)
    write_model(workdir / "models/other", "other.caffemodel", [("conv1", "conv"), ("conv2", "conv")], seed=1)
    write_picture(workdir / "data/guide_pictures/a.jpg")
    write_picture(workdir / "data/guide_pictures/b.jpg", width=40, height=40)


def with_flag(args: list[str], flag: str, value: str) -> list[str]:
    args = list(args)
    if flag in args:
        args[args.index(flag) + 1] = value
    else:
        args += [flag, value]
    return args


GUIDED = [*BASE, "--gi", "data/guide_pictures/a.jpg"]
CHANGES = [
    # (first command's flags, the rerun's flags, the setting the refusal must name)
    (BASE, with_flag(BASE, "-l", "conv2"), "layers: conv1 → conv2"),
    (BASE, with_flag(BASE, "-itr", "2"), "iterations: 1 → 2"),
    (BASE, [*with_flag(with_flag(BASE, "-p", "models/other"), "-m", "other.caffemodel")], "model: sha1 "),
    (BASE, [*BASE, "--seed", "7"], "seed: 0 → 7"),
    (BASE, [*BASE, "-b", "0.8"], "blend: 0.5 → 0.8"),
    (BASE, [*BASE, "-oct", "2"], "octaves: 1 → 2"),
    (GUIDED, with_flag(GUIDED, "--gi", "data/guide_pictures/b.jpg"), "guide: sha1 "),
]


@pytest.mark.parametrize(("first", "rerun", "named"), CHANGES, ids=[c[2].split(":")[0] for c in CHANGES])
def test_a_rerun_with_changed_settings_is_refused_and_restart_dreams_again(
    clip: Path, first: list[str], rerun: list[str], named: str
) -> None:
    frames = Path(f"{FRAMES}_guided") if "--gi" in first else FRAMES
    assert run("-e", str(clip), *first).exit_code == 0
    before = {path.name: path.read_bytes() for path in frames.glob("dream_frame_*.jpg")}
    assert len(before) == 2

    line = one_line_error(run("-e", str(clip), *rerun))
    assert named in line and "--restart" in line, line
    assert {
        path.name: path.read_bytes() for path in frames.glob("dream_frame_*.jpg")
    } == before  # nothing lost

    restarted = run("-e", str(clip), *rerun, "--restart")
    assert restarted.exit_code == 0, restarted.output
    assert "resuming" not in restarted.stderr
    after = {path.name: path.read_bytes() for path in frames.glob("dream_frame_*.jpg")}
    assert after.keys() == before.keys() and after != before  # dreamed again, with the new settings

    again = run("-e", str(clip), *rerun)  # the new settings are the recorded ones now
    assert again.exit_code == 0, again.output
    assert "resuming after frame 2" in again.stderr


def test_the_same_settings_resume_and_the_manifest_says_the_run_is_complete(clip: Path) -> None:
    assert run("-e", str(clip), *with_flag(BASE, "-ef", "1")).exit_code == 0
    resumed = run("-e", str(clip), *BASE)
    assert resumed.exit_code == 0, resumed.output
    assert "resuming after frame 1" in resumed.stderr
    manifest = json.loads((FRAMES / "deepdream_settings.json").read_text())
    assert (manifest["done"], manifest["total"], manifest["complete"]) == (2, 2, True)
    assert manifest["settings"]["layers"] == ["conv1"] and manifest["settings"]["iterations"] == 1
    # Each finished run writes its own dated video; the two runs may end in different seconds.
    video = max(Path("data/dream_video").glob("my_video-DeepDream__*.mp4"))
    assert decoded_frames(video).shape[0] == 2


def test_restart_with_changed_settings_leaves_no_frame_of_the_old_dream(clip: Path) -> None:
    """Frames of the old dream outside the new run's range must go too, or mode 3 would mix them in."""
    assert run("-e", str(clip), *with_flag(BASE, "-ef", "4")).exit_code == 0
    assert run("-e", str(clip), *with_flag(BASE, "-l", "conv2"), "--restart").exit_code == 0
    assert sorted(path.name for path in FRAMES.glob("dream_frame_*")) == [
        "dream_frame_00000001.jpg",
        "dream_frame_00000002.jpg",
    ]


def test_frames_without_a_manifest_are_refused_until_restart(clip: Path) -> None:
    assert run("-e", str(clip), *BASE).exit_code == 0
    (FRAMES / "deepdream_settings.json").unlink()  # frames of an older version, or copied in by hand
    line = one_line_error(run("-e", str(clip), *BASE))
    assert "no record of the settings" in line and "--restart" in line
    assert run("-e", str(clip), *BASE, "--restart").exit_code == 0


def test_mode_3_says_how_many_frames_and_warns_about_an_incomplete_run(clip: Path) -> None:
    assert run("-e", str(clip), *BASE).exit_code == 0
    manifest = FRAMES / "deepdream_settings.json"
    record = json.loads(manifest.read_text())
    assembled = run("--mode", "3", "-e", str(clip), "-v", "1")
    assert assembled.exit_code == 0, assembled.output
    assert "assembling 2 frames" in assembled.stderr and "warning" not in assembled.stderr

    manifest.write_text(
        json.dumps({**record, "done": 2, "total": 6, "complete": False})
    )  # as a stopped run leaves it
    warned = run("--mode", "3", "-e", str(clip), "-v", "1")
    assert warned.exit_code == 0, warned.output
    warnings = [line for line in warned.stderr.splitlines() if line.startswith("warning")]
    assert len(warnings) == 1 and "stopped after 2 of 6 frames" in warnings[0]
