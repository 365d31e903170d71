"""A contact sheet: the original and every layer's result, labelled, in one grid."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

TILE_WIDTH = 320
LABEL_HEIGHT = 22
GAP = 6
BACKGROUND = (255, 255, 255)
INK = (0, 0, 0)


def contact_sheet(tiles: Sequence[tuple[str, np.ndarray]], columns: int | None = None) -> Image.Image:
    """A grid of (label, picture) tiles, each scaled to ``TILE_WIDTH`` with its label written underneath.
    All pictures share one size (they are results of the same picture); columns default to a near-square grid."""
    columns = columns or math.ceil(math.sqrt(len(tiles)))
    rows = math.ceil(len(tiles) / columns)
    height, width = tiles[0][1].shape[:2]
    tile_height = max(1, round(height * TILE_WIDTH / width))
    cell_width, cell_height = TILE_WIDTH + GAP, tile_height + LABEL_HEIGHT + GAP
    sheet = Image.new("RGB", (columns * cell_width + GAP, rows * cell_height + GAP), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    for index, (label, picture) in enumerate(tiles):
        left = GAP + (index % columns) * cell_width
        top = GAP + (index // columns) * cell_height
        thumbnail = Image.fromarray(picture).resize((TILE_WIDTH, tile_height), Image.Resampling.LANCZOS)
        sheet.paste(thumbnail, (left, top))
        draw.text((left + 2, top + tile_height + 4), label, fill=INK)
    return sheet
