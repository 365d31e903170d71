"""A contact sheet: the original and every layer's result, labelled, in one grid."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

TILE_WIDTH = 320  # every tile fits a TILE_WIDTH x TILE_WIDTH box: a tall strip makes a narrow tile, not a tall sheet
LABEL_HEIGHT = 22
GAP = 6
BACKGROUND = (255, 255, 255)
INK = (0, 0, 0)


def tile_size(width: int, height: int) -> tuple[int, int]:
    """(width, height) of a picture's tile: as large as fits the ``TILE_WIDTH`` square, proportions kept, at least
    one pixel each way (a 5x20000 strip becomes 1x320)."""
    scale = TILE_WIDTH / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def contact_sheet(tiles: Sequence[tuple[str, np.ndarray]], columns: int | None = None) -> Image.Image:
    """A grid of (label, picture) tiles, each scaled to fit a ``TILE_WIDTH`` square (centred across its cell)
    with its label written underneath. All pictures share one size (they are results of the same picture);
    columns default to a near-square grid."""
    columns = columns or math.ceil(math.sqrt(len(tiles)))
    rows = math.ceil(len(tiles) / columns)
    height, width = tiles[0][1].shape[:2]
    thumb_width, thumb_height = tile_size(width, height)
    cell_width, cell_height = TILE_WIDTH + GAP, thumb_height + LABEL_HEIGHT + GAP
    sheet = Image.new("RGB", (columns * cell_width + GAP, rows * cell_height + GAP), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for index, (label, picture) in enumerate(tiles):
        left = GAP + (index % columns) * cell_width
        top = GAP + (index // columns) * cell_height
        thumbnail = Image.fromarray(picture).resize((thumb_width, thumb_height), Image.Resampling.LANCZOS)
        sheet.paste(thumbnail, (left + (TILE_WIDTH - thumb_width) // 2, top))
        draw.text((left + 2, top + thumb_height + 4), label, fill=INK)
    return sheet
