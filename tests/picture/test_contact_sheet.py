"""Contact sheets: labelled tiles in a grid, each bounded both ways."""

import numpy as np
import pytest

from deepdream_torch.picture.contact_sheet import contact_sheet


def solid(colour, height=40, width=80):
    return np.full((height, width, 3), colour, dtype=np.uint8)


def test_tiles_in_a_labelled_grid():
    tiles = [("original", solid((255, 0, 0))), ("conv1", solid((0, 255, 0))), ("conv2", solid((0, 0, 255)))]
    sheet = np.asarray(contact_sheet(tiles))
    # By hand: 2 columns, 2 rows; tiles 320 wide, 40 * 320 / 80 = 160 high; 22 pixels of label; 6-pixel gaps.
    assert sheet.shape == (6 + 2 * (160 + 22 + 6), 6 + 2 * (320 + 6), 3)
    cells = {"original": (6, 6), "conv1": (6, 332), "conv2": (194, 6)}
    for (label, picture), (top, left) in zip(tiles, cells.values(), strict=True):
        tile = sheet[top + 2 : top + 158, left + 2 : left + 318]
        assert np.abs(tile.astype(int) - picture[0, 0]).max() <= 2, label
        under = sheet[top + 160 : top + 182, left : left + 320]
        assert (under.min(axis=2) < 128).sum() > 20, f"no label written under {label}"
    empty = sheet[194:376, 332:652]
    assert (empty == 255).all()


def test_one_tile_makes_a_one_cell_sheet():
    sheet = contact_sheet([("original", solid((10, 20, 30), 100, 100))])
    assert sheet.size == (6 + 326, 6 + 320 + 22 + 6)


# (picture width, height) -> its tile's (width, height) by hand: the longer side becomes 320, proportions kept
STRIPS = [
    ((5, 20000), (1, 320)),  # 320 * 5 / 20000 = 0.08: one pixel wide at least
    ((20000, 5), (320, 1)),
    ((100, 300), (107, 320)),  # 320 / 3 = 106.7
    ((300, 100), (320, 107)),
    ((1, 1), (320, 320)),
]


@pytest.mark.parametrize(("size", "tile"), STRIPS, ids=[f"{w}x{h}" for (w, h), _ in STRIPS])
def test_tiles_are_bounded_both_ways(size: tuple[int, int], tile: tuple[int, int]) -> None:
    width, height = size
    picture = np.zeros((height, width, 3), np.uint8)
    sheet = contact_sheet([("original", picture), ("conv1", picture)])
    # two tiles side by side: one row of cells
    assert sheet.size == (6 + 2 * (320 + 6), 6 + tile[1] + 22 + 6)
    drawn = np.asarray(sheet)[6 : 6 + tile[1], 6 : 6 + 320].min(axis=2) < 128  # black picture on white
    rows, columns = np.nonzero(drawn)
    assert columns.max() - columns.min() + 1 == tile[0]
    assert rows.max() - rows.min() + 1 == tile[1]
