"""Reruns never mix two dreams: the settings are recorded beside the frames; a rerun with other settings dreams into
a folder of its own named after them (one line says so and what changed) and resumes there; ``--restart`` redoes
the folder a command names; a frames folder given with -o refuses other settings until ``--restart``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

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
    # (first command's flags, the rerun's flags, the setting the line must name, the rerun's folder)
    (BASE, with_flag(BASE, "-l", "conv2"), "layers: conv1 → conv2", "my_video_i-1_o-1_L-conv2_m-tiny"),
    (BASE, with_flag(BASE, "-itr", "2"), "iterations: 1 → 2", "my_video_i-2_o-1_L-conv1_m-tiny"),
    (
        BASE,
        [*with_flag(with_flag(BASE, "-p", "models/other"), "-m", "other.caffemodel")],
        "model: sha1 ",
        "my_video_i-1_o-1_L-conv1_m-other",
    ),
    (BASE, [*BASE, "--seed", "7"], "seed: 0 → 7", "my_video_i-1_o-1_L-conv1_m-tiny_s-7"),
    (BASE, [*BASE, "-b", "0.8"], "blend: 0.5 → 0.8", "my_video_i-1_o-1_b-0.8_L-conv1_m-tiny"),
    (BASE, [*BASE, "-oct", "2"], "octaves: 1 → 2", "my_video_i-1_o-2_L-conv1_m-tiny"),
    (GUIDED, with_flag(GUIDED, "--gi", "data/guide_pictures/b.jpg"), "guide: sha1 ", "my_video_i-1_o-1_L-conv1_m-tiny_g-b_guided"),
]  # fmt: skip


def frame_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.glob("dream_frame_*.jpg")}


@pytest.mark.parametrize(("first", "rerun", "named", "folder"), CHANGES, ids=[c[2].split(":")[0] for c in CHANGES])
def test_a_rerun_with_changed_settings_dreams_beside_the_first_dream_and_resumes_there(
    clip: Path, first: list[str], rerun: list[str], named: str, folder: str
) -> None:
    frames = Path(f"{FRAMES}_guided") if "--gi" in first else FRAMES
    assert run("-e", str(clip), *first).exit_code == 0
    before = frame_bytes(frames)
    assert len(before) == 2

    other = run("-e", str(clip), *rerun)
    assert other.exit_code == 0, other.output
    told = [line for line in other.stderr.splitlines() if "holds a dream with other settings" in line]
    assert len(told) == 1 and named in told[0] and f"data/output_frames/{folder}" in told[0], other.stderr
    assert frame_bytes(frames) == before  # nothing lost, nothing mixed
    new = Path("data/output_frames") / folder
    dreamed = frame_bytes(new)
    assert dreamed.keys() == before.keys() and dreamed != before  # dreamed with the new settings
    video_name = folder.removesuffix("_guided")
    assert len(list(Path("data/dream_video").glob(f"{video_name}-DeepDream*__*.mp4"))) == 1

    again = run("-e", str(clip), *rerun)  # the same command finds its folder again: nothing left to dream
    assert again.exit_code == 0, again.output
    assert f"frames: {new} (2 frames)" in again.stdout
    assert frame_bytes(new) == dreamed and frame_bytes(frames) == before

    restarted = run("-e", str(clip), *rerun, "--restart")  # redoes the folder it names, and only that one
    assert restarted.exit_code == 0, restarted.output
    assert f"frames: {new} (2 frames)" in restarted.stdout and "resuming" not in restarted.stderr
    assert frame_bytes(frames) == before


def test_a_frames_folder_given_with_o_still_refuses_other_settings_until_restart(clip: Path) -> None:
    """Without -e, -o is the frames folder itself: the user named it, so nothing is dreamed elsewhere."""
    assert run("--mode", "1", "-e", str(clip), "-ef", "2").exit_code == 0
    folders = ["-i", "data/input_frames/my_video", "-o", "data/mine"]
    assert run("--mode", "2", *folders, *BASE).exit_code == 0
    before = frame_bytes(Path("data/mine"))
    line = one_line_error(run("--mode", "2", *folders, *with_flag(BASE, "-l", "conv2")))
    assert "layers: conv1 → conv2" in line and "--restart" in line, line
    assert frame_bytes(Path("data/mine")) == before
    restarted = run("--mode", "2", *folders, *with_flag(BASE, "-l", "conv2"), "--restart")
    assert restarted.exit_code == 0, restarted.output
    after = frame_bytes(Path("data/mine"))
    assert after.keys() == before.keys() and after != before


def test_o_still_wins_with_a_video(clip: Path) -> None:
    assert run("-e", str(clip), *BASE).exit_code == 0
    elsewhere = run("-e", str(clip), *with_flag(BASE, "-l", "conv2"), "-o", "data/elsewhere")
    assert elsewhere.exit_code == 0, elsewhere.output
    assert "frames: data/elsewhere/my_video (2 frames)" in elsewhere.stdout


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
    """In a folder named with -o, frames of the old dream outside the new run's range must go too, or mode 3
    would mix them in."""
    assert run("--mode", "1", "-e", str(clip)).exit_code == 0
    folders = ["-i", "data/input_frames/my_video", "-o", "data/mine"]
    assert run("--mode", "2", *folders, *with_flag(BASE, "-ef", "4")).exit_code == 0
    assert run("--mode", "2", *folders, *with_flag(BASE, "-l", "conv2"), "--restart").exit_code == 0
    assert sorted(path.name for path in Path("data/mine").glob("dream_frame_*")) == [
        "dream_frame_00000001.jpg",
        "dream_frame_00000002.jpg",
    ]


def test_frames_without_a_manifest_are_left_alone(clip: Path) -> None:
    assert run("-e", str(clip), *BASE).exit_code == 0
    (FRAMES / "deepdream_settings.json").unlink()  # frames of an older version, or copied in by hand
    before = frame_bytes(FRAMES)
    beside = run("-e", str(clip), *BASE)
    assert beside.exit_code == 0, beside.output
    assert "settings not recorded" in beside.stderr or "were not recorded" in beside.stderr, beside.stderr
    assert frame_bytes(FRAMES) == before
    assert "frames: data/output_frames/my_video_i-1_o-1_L-conv1_m-tiny (2 frames)" in beside.stdout


def test_frames_without_a_manifest_in_a_folder_given_with_o_are_refused_until_restart(clip: Path) -> None:
    assert run("--mode", "1", "-e", str(clip), "-ef", "2").exit_code == 0
    folders = ["-i", "data/input_frames/my_video", "-o", "data/mine"]
    assert run("--mode", "2", *folders, *BASE).exit_code == 0
    (Path("data/mine") / "deepdream_settings.json").unlink()
    line = one_line_error(run("--mode", "2", *folders, *BASE))
    assert "no record of the settings" in line and "--restart" in line
    assert run("--mode", "2", *folders, *BASE, "--restart").exit_code == 0


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


def test_seed_minus_one_draws_a_seed_that_is_said_recorded_and_repeats_the_dream(clip: Path) -> None:
    first = run("-e", str(clip), *BASE, "--seed", "-1")
    assert first.exit_code == 0, first.output
    said = [line for line in first.stderr.splitlines() if line.startswith("seed -1: ")]
    assert len(said) == 1, first.stderr
    seed = int(said[0].split("random seed ")[1].split()[0])
    assert 0 <= seed < 2**31 and f"--seed {seed}" in said[0]
    assert json.loads((FRAMES / "deepdream_settings.json").read_text())["settings"]["seed"] == seed
    dreamed = frame_bytes(FRAMES)
    assert len(dreamed) == 2

    again = run("-e", str(clip), *BASE, "--seed", str(seed), "--restart")  # the seed said dreams the same frames
    assert again.exit_code == 0, again.output
    assert "holds a dream with other settings" not in again.stderr
    assert frame_bytes(FRAMES) == dreamed


def test_two_random_seeds_differ_and_neither_is_zero_s_folder(clip: Path) -> None:
    assert run("-e", str(clip), *BASE).exit_code == 0
    other = run("-e", str(clip), *BASE, "--seed", "-1")
    assert other.exit_code == 0, other.output
    seed = int(other.stderr.split("random seed ")[1].split()[0])
    assert (Path("data/output_frames") / f"my_video_i-1_o-1_L-conv1_m-tiny_s-{seed}").is_dir()


def test_the_default_precision_is_recorded_as_what_runs_and_names_no_folder(clip: Path) -> None:
    from deepdream_torch.dreaming.precision import choose

    runs_as = choose("auto", torch.device("cpu")).name
    default = run("-e", str(clip), *with_flag(BASE, "-v", "2"), "--device", "cpu")
    assert default.exit_code == 0, default.output
    said = [line for line in default.stderr.splitlines() if line.startswith("precision ")]
    assert said == [f"precision {runs_as}: {choose('auto', torch.device('cpu')).reason}"]  # once, with why
    assert json.loads((FRAMES / "deepdream_settings.json").read_text())["settings"]["precision"] == runs_as
    before = frame_bytes(FRAMES)

    # Asking by name for what auto runs here is the same dream: it resumes (nothing left) in the same folder.
    same = run("-e", str(clip), *BASE, "--device", "cpu", "--precision", runs_as)
    assert same.exit_code == 0, same.output
    assert "holds a dream with other settings" not in same.stderr and frame_bytes(FRAMES) == before

    other = "fp32" if runs_as == "bf16" else "bf16"
    apart = run("-e", str(clip), *BASE, "--device", "cpu", "--precision", other)
    assert apart.exit_code == 0, apart.output
    assert (Path("data/output_frames") / f"my_video_i-1_o-1_L-conv1_m-tiny_p-{other}").is_dir()
    assert not list(Path("data/output_frames").glob("*p-auto*"))
