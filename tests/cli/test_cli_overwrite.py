"""No output may be an input, in any mode: each command below would have written over one of its own inputs (by
name, through a symlink or a hard link); it is refused in one line and the input is left byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.cli.cli_helpers import one_line_error, run, write_model, write_picture

TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel", "-l", "conv1", "-oct", "1", "-itr", "1", "-v", "1"]
SHEET = "contact_sheet_i-1_o-1_os-1.4_ss-1.5_j-32.jpg"  # the sheet of a -oct 1 -itr 1 run


@pytest.fixture(autouse=True)
def tiny(workdir: Path) -> None:
    write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("conv2", "conv")])


def picture_named_like_the_sheet() -> tuple[list[str], Path]:
    picture = write_picture(Path("pics") / SHEET)
    return ["-sp", str(picture), "-o", "pics", *TINY], picture


def sheet_symlinked_to_the_picture() -> tuple[list[str], Path]:
    picture = write_picture(Path("pics/mine.jpg"))
    Path("out").mkdir()
    (Path("out") / SHEET).symlink_to(picture.resolve())
    return ["-sp", str(picture), "-o", "out", *TINY], picture


def sheet_hard_linked_to_the_guide() -> tuple[list[str], Path]:
    picture, guide = write_picture(Path("pics/mine.jpg")), write_picture(Path("pics/guide.jpg"), 40, 40)
    Path("out/guided").mkdir(parents=True)
    os.link(guide, Path("out/guided") / SHEET)
    return ["-sp", str(picture), "-o", "out", "--gi", str(guide), *TINY], guide


def guide_among_the_dreamed_frames(clip: Path) -> tuple[list[str], Path]:
    # In the frames folder -o names (a folder named after a video would hold another dream: it is dreamed beside).
    write_picture(Path("data/input_frames/my_video/00000001.jpg"), 40, 40)
    guide = write_picture(Path("data/mine/dream_frame_00000001.jpg"), 40, 40)
    return ["--mode", "2", "-i", "data/input_frames/my_video", "-o", "data/mine", "--gi", str(guide), *TINY], guide


def video_where_mode_1_writes_its_first_frame() -> tuple[list[str], Path]:
    # A picture is a one-frame video to FFmpeg: extracted into data/f/00000001/, frame 1 would replace it.
    video = Path("data/f/00000001/00000001.jpg")
    video.parent.mkdir(parents=True)
    Image.fromarray(np.full((48, 64, 3), 90, np.uint8)).save(video)
    return ["--mode", "1", "-e", str(video), "-i", "data/f"], video


def convert_onto_the_caffemodel() -> tuple[list[str], Path]:
    model = Path("models/tiny")
    return ["convert", str(model / "deploy.prototxt"), str(model / "tiny.caffemodel"), "-o", str(model / "tiny.caffemodel")], model / "tiny.caffemodel"  # fmt: skip


def onnx_onto_a_hard_link_of_the_prototxt() -> tuple[list[str], Path]:
    model = Path("models/tiny")
    os.link(model / "deploy.prototxt", "net.onnx")
    args = ["convert", str(model / "deploy.prototxt"), str(model / "tiny.caffemodel"), "--onnx", "net.onnx"]
    return [*args, "--until", "conv1"], model / "deploy.prototxt"


CASES = [
    picture_named_like_the_sheet,
    sheet_symlinked_to_the_picture,
    sheet_hard_linked_to_the_guide,
    guide_among_the_dreamed_frames,
    video_where_mode_1_writes_its_first_frame,
    convert_onto_the_caffemodel,
    onnx_onto_a_hard_link_of_the_prototxt,
]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_no_output_overwrites_an_input(case, clip: Path) -> None:
    args, kept = case(clip) if case is guide_among_the_dreamed_frames else case()
    before = kept.read_bytes()
    line = one_line_error(run(*args))
    assert "refusing to write" in line and str(kept.name) in line, line
    assert kept.read_bytes() == before
