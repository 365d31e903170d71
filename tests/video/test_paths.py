from datetime import datetime
from pathlib import Path

import pytest

from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.paths import (
    check_image_type,
    dream_frame_path,
    dream_video_path,
    frames_folder,
    input_root,
    output_root,
    partial_video_path,
    source_frame_path,
    video_name,
)


def test_default_roots_are_the_original_folders():
    assert input_root(env={}) == Path("data/input_frames")
    assert output_root(env={}) == Path("data/output_frames")


def test_environment_overrides_the_roots_and_a_given_folder_overrides_both():
    env = {"DEEPDREAM_INPUT": "/in", "DEEPDREAM_OUTPUT": "/out"}
    assert input_root(env=env) == Path("/in")
    assert output_root(env=env) == Path("/out")
    assert input_root(Path("mine"), env=env) == Path("mine")


def test_folders_per_video_with_guided_suffix():
    name = video_name(Path("videos/lions_small_b75.mkv"))
    assert name == "lions_small_b75"
    assert frames_folder(Path("data/input_frames"), name) == Path("data/input_frames/lions_small_b75")
    assert frames_folder(Path("o"), name, guided=True) == Path("o/lions_small_b75_guided")


def test_frame_file_names_are_eight_digits_from_one():
    assert source_frame_path(Path("f"), 1, "jpg") == Path("f/00000001.jpg")
    assert dream_frame_path(Path("f"), 123, "png") == Path("f/dream_frame_00000123.png")


def test_video_name_carries_guided_and_timestamp():
    when = datetime(2024, 5, 6, 7, 8, 9)
    assert dream_video_path("lions", when=when) == Path(
        "data/dream_video/lions-DeepDream__20240506-070809.mp4"
    )
    assert dream_video_path("lions", guided=True, when=when, video_dir=Path("v")) == Path(
        "v/lions-DeepDream_guided__20240506-070809.mp4"
    )


def test_partial_name_is_shared_by_runs_of_one_video_and_keeps_the_suffix():
    first = partial_video_path(Path("v/lions-DeepDream__20240506-070809.mp4"))
    second = partial_video_path(Path("v/lions-DeepDream__20240507-000000.mp4"))
    assert first == second == Path("v/lions-DeepDream.partial.mp4")
    assert partial_video_path(Path("out.mkv")) == Path("out.partial.mkv")


def test_image_types():
    assert check_image_type("JPEG") == "jpg"
    assert check_image_type(".png") == "png"
    with pytest.raises(VideoError, match="use jpg or png"):
        check_image_type("gif")
