"""A picture past the size limit (a decompression bomb: a tiny file declaring a huge size) stops any mode in one
line with exit code 2, before it is decoded, whether it is the picture, the guide or a frame to dream."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.cli.cli_helpers import one_line_error, run, write_model
from tests.dreaming.test_picture_reading import png_declaring

TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel", "-l", "conv1", "-itr", "1", "-oct", "1"]
PLACES = {
    "single picture": ["-sp", "data/bomb.png", *TINY],
    "guide picture": ["-sp", "data/small.png", "-gi", "data/bomb.png", *TINY],
    "mode 2 frame": ["--mode", "2", "-i", "data/frames", "-o", "data/out", "-it", "png", *TINY],
}


@pytest.mark.parametrize("where", list(PLACES))
def test_a_bomb_picture_is_one_line(workdir: Path, where: str) -> None:
    write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv")])
    (workdir / "data/frames").mkdir(parents=True)
    png_declaring(workdir / "data/bomb.png", 30000, 30000)
    png_declaring(workdir / "data/frames/00000001.png", 30000, 30000)
    Image.new("RGB", (8, 8)).save(workdir / "data/small.png")
    line = one_line_error(run(*PLACES[where]))
    assert "megapixels this tool reads" in line and "scale it down" in line
