import numpy as np

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
