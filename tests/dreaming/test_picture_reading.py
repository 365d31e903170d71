"""Every picture reader shows what a viewer shows: EXIF orientation honoured, wide pixels scaled (not clipped) to
8 bits, and a size limit that speaks in one line before anything is decoded."""

from __future__ import annotations

import struct
import warnings
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.pixels import as_rgb_array
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.images import read_image

ORIENTATION = 0x0112  # the EXIF tag


def upright() -> np.ndarray:
    """32x48 in four flat quadrants of distinct colours, so that any turn or mirror is told apart after JPEG."""
    picture = np.zeros((32, 48, 3), np.uint8)
    picture[:16, :24], picture[:16, 24:] = (230, 30, 30), (30, 230, 30)
    picture[16:, :24], picture[16:, 24:] = (30, 30, 230), (230, 230, 30)
    return picture


# How the EXIF specification says each orientation stores the upright picture (row 0 / column 0 of the file vs
# the visual top / left), written with numpy independently of Pillow's exif_transpose.
STORED = {
    1: lambda u: u,
    2: lambda u: u[:, ::-1],  # row 0 = top, column 0 = right
    3: lambda u: u[::-1, ::-1],  # bottom, right
    4: lambda u: u[::-1],  # bottom, left
    5: lambda u: u.transpose(1, 0, 2),  # left, top
    6: lambda u: np.rot90(u, 1),  # right, top
    7: lambda u: np.rot90(u, 1)[:, ::-1],  # right, bottom
    8: lambda u: np.rot90(u, -1),  # left, bottom
}


def write_oriented_jpeg(path: Path, orientation: int) -> Path:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    Image.fromarray(np.ascontiguousarray(STORED[orientation](upright()))).save(path, quality=95, exif=exif)
    return path


@pytest.mark.parametrize("orientation", sorted(STORED))
@pytest.mark.parametrize("reader", ["picture", "frame"])
def test_every_exif_orientation_reads_upright(tmp_path: Path, orientation: int, reader: str) -> None:
    path = write_oriented_jpeg(tmp_path / f"o{orientation}.jpg", orientation)
    picture = as_rgb_array(path) if reader == "picture" else read_image(path)
    assert picture.shape == (32, 48, 3)
    assert np.abs(picture.astype(int) - upright()).mean() < 4


def test_an_oriented_pil_image_reads_upright(tmp_path: Path) -> None:
    with Image.open(write_oriented_jpeg(tmp_path / "o6.jpg", 6)) as opened:
        assert np.abs(as_rgb_array(opened).astype(int) - upright()).mean() < 4


def save_pil(array: np.ndarray, mode: str | None = None, suffix: str = "png"):
    def write(path: Path) -> Path:
        image = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
        image.save(path.with_suffix(f".{suffix}"))
        return path.with_suffix(f".{suffix}")

    return write


def save_cv2(array: np.ndarray, suffix: str = "png"):
    def write(path: Path) -> Path:
        cv2.imwrite(str(path.with_suffix(f".{suffix}")), array)
        return path.with_suffix(f".{suffix}")

    return write


def palette(path: Path) -> Path:
    image = Image.new("P", (4, 1))
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 128, 255, 10, 20, 30])
    image.putdata([0, 1, 2, 3])
    image.save(path.with_suffix(".png"))
    return path.with_suffix(".png")


def cmyk(path: Path) -> Path:
    Image.frombytes("CMYK", (4, 1), bytes([0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 0, 0, 0, 0, 100])).save(
        path.with_suffix(".tiff")
    )
    return path.with_suffix(".tiff")


SIXTEEN = np.array([[0, 32768, 65535, 16384]], np.uint16)
# (how the file is written, the expected 8-bit grey/RGB of its four pixels, computed by hand)
DEPTHS = {
    # v * 255 / 65535, rounded: 32768 -> 127.502, 16384 -> 63.75
    "16-bit grey PNG (Pillow I;16)": (save_pil(SIXTEEN), [0, 128, 255, 64]),
    "16-bit grey PNG (OpenCV)": (save_cv2(SIXTEEN), [0, 128, 255, 64]),
    "16-bit grey TIFF (OpenCV)": (save_cv2(SIXTEEN, "tiff"), [0, 128, 255, 64]),
    # 32-bit integers holding 16-bit data (what Pillow widens some 16-bit files to): same scale
    "32-bit int TIFF, 16-bit range": (save_pil(SIXTEEN.astype(np.int32), suffix="tiff"), [0, 128, 255, 64]),
    # 32-bit integers beyond 16 bits: their range, -5 black, 70000 white; 0 -> 5*255/70005 = 0.02, 1000 -> 3.66
    "32-bit int TIFF, wide range": (
        save_pil(np.array([[0, 70000, -5, 1000]], np.int32), suffix="tiff"), [0, 255, 0, 4]),
    # floats 0..1: v * 255, 0.5 -> 127.5 (to even: 128), 0.25 -> 63.75
    "float TIFF 0..1 (Pillow F)": (save_pil(np.array([[0, 0.5, 1, 0.25]], np.float32), suffix="tiff"), [0, 128, 255, 64]),
    "float TIFF 0..1 (OpenCV)": (save_cv2(np.array([[0, 0.5, 1, 0.25]], np.float32), "tiff"), [0, 128, 255, 64]),
    # floats beyond 0..255: their range, -1 black, 3 white: (v + 1) * 255 / 4
    "float TIFF, wide range": (save_pil(np.array([[-1, 0, 1, 3]], np.float32), suffix="tiff"), [0, 64, 128, 255]),
    # floats already on 0..255
    "float TIFF 0..255": (save_pil(np.array([[0, 100.4, 255, 7]], np.float32), suffix="tiff"), [0, 100, 255, 7]),
    # 16-bit RGB (OpenCV writes BGR): the high byte of each channel
    "16-bit RGB PNG": (
        save_cv2(np.stack([SIXTEEN // 4, SIXTEEN // 2, SIXTEEN], axis=-1)),
        [[0, 0, 0], [128, 64, 32], [255, 127, 63], [64, 32, 16]],
    ),
    "16-bit RGB TIFF": (
        save_cv2(np.stack([SIXTEEN // 4, SIXTEEN // 2, SIXTEEN], axis=-1), "tiff"),
        [[0, 0, 0], [128, 64, 32], [255, 127, 63], [64, 32, 16]],
    ),
    "1-bit PNG": (save_pil(np.array([[False, True, False, True]])), [0, 255, 0, 255]),
    "palette PNG": (palette, [[0, 0, 0], [255, 0, 0], [0, 128, 255], [10, 20, 30]]),
    "grey + alpha PNG": (save_pil(np.array([[[0, 255], [200, 128], [255, 0], [77, 10]]], np.uint8), "LA"),
                         [0, 200, 255, 77]),
    # CMYK: R = 255 - C - K (Pillow's conversion, no colour profile)
    "CMYK TIFF": (cmyk, [[255, 255, 255], [0, 255, 255], [255, 255, 0], [155, 155, 155]]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(DEPTHS))
@pytest.mark.parametrize("reader", ["picture", "frame"])
def test_every_pixel_depth_is_scaled_to_eight_bits(tmp_path: Path, name: str, reader: str) -> None:
    write, expected = DEPTHS[name]
    path = write(tmp_path / "picture")
    picture = as_rgb_array(path) if reader == "picture" else read_image(path)
    expected = np.array(expected)
    expected = np.repeat(expected[:, None], 3, axis=1) if expected.ndim == 1 else expected
    assert picture.dtype == np.uint8 and picture.shape == (1, 4, 3)
    np.testing.assert_array_equal(picture[0], expected)


def png_declaring(path: Path, width: int, height: int) -> Path:
    """A valid 1x1 PNG whose header then claims ``width`` x ``height``: a few dozen bytes on disk."""
    Image.new("RGB", (1, 1)).save(path)
    data = bytearray(path.read_bytes())
    ihdr = 8  # after the signature: length (4), "IHDR" (4), width, height, ...
    data[ihdr + 8 : ihdr + 16] = struct.pack(">II", width, height)
    data[ihdr + 21 : ihdr + 25] = struct.pack(">I", zlib.crc32(bytes(data[ihdr + 4 : ihdr + 21])))
    path.write_bytes(bytes(data))
    return path


# Below Pillow's warning (89 Mpx) but past ours; past its warning; past its error (179 Mpx); a 5 x 20 million strip.
BOMBS = [(9000, 9000), (9600, 9600), (20000, 20000), (100000, 100000), (5, 20_000_000)]


@pytest.mark.parametrize(("width", "height"), BOMBS, ids=[f"{w}x{h}" for w, h in BOMBS])
def test_a_picture_past_the_size_limit_is_one_line_before_decoding(tmp_path: Path, width: int, height: int) -> None:
    path = png_declaring(tmp_path / "bomb.png", width, height)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's DecompressionBombWarning must not escape either
        with pytest.raises(DreamError, match="megapixels this tool reads: scale it down") as refused:
            as_rgb_array(path)
        with pytest.raises(VideoError, match="megapixels this tool reads"):
            read_image(path)
    assert "\n" not in str(refused.value) and "bomb.png" in str(refused.value)
