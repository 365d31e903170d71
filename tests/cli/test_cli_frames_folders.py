"""A video's dreams side by side: mode 3 assembles the folder its flags name, a video already made from unchanged
frames is not made twice, and ``deepdream frames list`` shows each folder with its settings and frames."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.cli_helpers import decoded_frames, one_line_error, run, write_model

TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel", "-oct", "1", "-itr", "1", "-v", "1"]


@pytest.fixture(autouse=True)
def model(workdir: Path) -> None:
    write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])


def videos() -> list[Path]:
    return sorted(Path("data/dream_video").glob("*.mp4"))


def test_mode_3_assembles_the_folder_its_flags_name(clip: Path) -> None:
    assert run("--mode", "1", "-e", str(clip)).exit_code == 0
    assert run("--mode", "2", "-e", str(clip), *TINY, "-l", "conv1").exit_code == 0
    assert run("--mode", "2", "-e", str(clip), *TINY, "-l", "conv2").exit_code == 0
    named = Path("data/output_frames/my_video_i-1_o-1_L-conv2_m-tiny")
    assert len(list(named.glob("dream_frame_*.jpg"))) == 6

    assembled = run("--mode", "3", "-e", str(clip), *TINY, "-l", "conv2")
    assert assembled.exit_code == 0, assembled.output
    assert f"assembling 6 frames (1 to 6) from {named}" in assembled.stderr
    (video,) = videos()
    assert video.name.startswith("my_video_i-1_o-1_L-conv2_m-tiny-DeepDream__")
    first = run("--mode", "3", "-e", str(clip))  # no dream flags: the video's first folder, as before
    assert first.exit_code == 0, first.output
    assert "assembling 6 frames (1 to 6) from data/output_frames/my_video" in first.stderr
    assert str(named) not in first.stderr
    assert len(videos()) == 2


def test_a_video_is_made_once_from_the_same_frames_and_again_when_they_change(clip: Path) -> None:
    made = run("-e", str(clip), *TINY)
    assert made.exit_code == 0, made.output
    (video,) = videos()
    again = run("-e", str(clip), *TINY)  # the same command: nothing to dream, the video is there
    assert again.exit_code == 0, again.output
    assert f"video: {video}" in again.stdout and "nothing to do" in again.stderr
    assert run("--mode", "3", "-e", str(clip), *TINY).exit_code == 0
    assert videos() == [video]

    frame = Path("data/output_frames/my_video/dream_frame_00000003.jpg")
    later = video.stat().st_mtime_ns + 1_000_000_000
    os.utime(frame, ns=(later, later))  # a frame written after the video (edited, or dreamed again)
    reassembled = run("--mode", "3", "-e", str(clip), *TINY)
    assert reassembled.exit_code == 0, reassembled.output
    assert "assembling 6 frames" in reassembled.stderr

    video.unlink()  # a video the user deleted is made again too
    video.with_name("x").touch()
    for path in videos():
        path.unlink()
    remade = run("--mode", "3", "-e", str(clip), *TINY)
    assert remade.exit_code == 0 and len(videos()) == 1
    assert decoded_frames(videos()[0]).shape[0] == 6


def test_frames_list_shows_each_dream_of_the_video(clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # a wide terminal: one line a folder
    assert run("-e", str(clip), *TINY, "-l", "conv1", "-ef", "2").exit_code == 0
    assert run("-e", str(clip), *TINY, "-l", "conv2", "-b", "0.8").exit_code == 0
    listing = run("frames", "list", "-e", str(clip))
    assert listing.exit_code == 0, listing.output
    rows = [line for line in listing.stdout.splitlines() if "my_video" in line and "│" in line]
    first = next(row for row in rows if row.split("│")[1].strip() == "my_video")
    named = next(row for row in rows if "my_video_i-1_o-1_b-0.8_L-conv2_m-tiny" in row)
    assert " 2 " in first and "L-conv1" in first and "b-0.5" in first
    assert " 6 " in named and "L-conv2" in named and "b-0.8" in named
    assert "my_video-DeepDream__" in first and "my_video_i-1_o-1_b-0.8_L-conv2_m-tiny-DeepDream__" in named


def test_frames_list_of_a_video_without_dreams_says_how_to_make_one(clip: Path) -> None:
    listing = run("frames", "list", "-e", str(clip))
    assert listing.exit_code == 0, listing.output
    assert listing.stdout.strip() == f"no dreamed frames of my_video in data/output_frames: dream some with deepdream -e {clip}"
    assert "--extract" in one_line_error(run("frames", "list"))
