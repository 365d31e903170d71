"""The channel sheet: a layer's channels each dreamed alone on the current picture, small, made lazily and cached.

Where a layer's look (``dreams.Dreamer.layer_look``) shows what a whole blob dreams, the sheet shows what each of
its first channels dreams on its own (the ``channels`` objective, the others weighted 0, as ``--channels N``), so a
channel is picked by its look. Each cell is cached in ``.studio/channel_sheets/<key>/`` under a key of the model,
layer and picture (its mtime too), so a second request makes nothing; the cells also go into one contact sheet.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from deepdream_torch.studio.dreams import Dreamer, Settings, _save, _small, _source
from deepdream_torch.studio.errors import StudioError
from deepdream_torch.studio.library import first_picture
from deepdream_torch.studio.models import files_of, layers
from deepdream_torch.studio.paths import relative_name, studio_dir

CELL_SIDE = 96
MAX_CELLS = 32
CELL_SETTINGS = (2, 4)  # octaves, iterations: a cell's look in well under a second on a small net


def channel_count(model_name: str, layer: str) -> int:
    """The channel count of a dreamable blob of the model (mode 5's table), or one line naming the problem."""
    for row in layers(files_of(model_name)):
        if row["blob"] == layer:
            if row["dreamable"] != "yes":
                raise StudioError(f"layer {layer} of {model_name} cannot be dreamed ({row['dreamable']})")
            return int(str(row["shape"]).split("×")[0])
    raise StudioError(f"no layer {layer!r} in {model_name}: pick one of its layers (deepdream layers lists them)")


def channel_sheet(dreamer: Dreamer, model_name: str, source: str, layer: str, start: int = 0,
                  count: int = 8) -> dict[str, Any]:
    """Channels ``start`` .. ``start + count - 1`` of ``layer`` (fewer at the blob's end), each dreamed alone.

    Returns the layer's channel count and the cells (channel number and picture name, relative to the data
    folder); a cell already made is read from the cache, never dreamed again.
    """
    from deepdream_torch.dreaming.objectives import channels

    if not 1 <= count <= MAX_CELLS:
        raise StudioError(f"count must be 1 to {MAX_CELLS} channels, not {count}")
    total = channel_count(model_name, layer)
    if not 0 <= start < total:
        raise StudioError(f"channel {start} is out of range: {layer} has {total} channels (0-{total - 1})")
    path = _source(dreamer.data, source)
    key = hashlib.sha1(
        f"{model_name}|{layer}|{relative_name(dreamer.data, path)}|{path.stat().st_mtime_ns}".encode()
    ).hexdigest()
    folder = studio_dir(dreamer.data, "channel_sheets", key)
    numbers = range(start, min(start + count, total))
    cells = [(n, folder / f"channel_{n}.jpg") for n in numbers]
    missing = [(n, cell) for n, cell in cells if not cell.is_file()]
    if missing:
        picture = _small(first_picture(path), CELL_SIDE)
        octaves, iterations = CELL_SETTINGS
        with dreamer.lock:
            dreamer.cancel_requested = False
            for number, cell in missing:
                result = dreamer._dream(model_name, picture, layer, Settings(layer, octaves, iterations),
                                        objective=channels(layer, [number]))
                _save(result, cell)
    sheet = folder / f"sheet_{numbers.start}-{numbers.stop - 1}.jpg"
    if missing or not sheet.is_file():
        _save(_contact_sheet(cells), sheet)
    return {"model": model_name, "source": source, "layer": layer, "channels": total, "start": start,
            "cells": [{"channel": n, "image": relative_name(dreamer.data, cell)} for n, cell in cells],
            "sheet": relative_name(dreamer.data, sheet)}


def _contact_sheet(cells: list[tuple[int, Path]]) -> Any:
    import numpy as np
    from PIL import Image

    from deepdream_torch.picture.contact_sheet import contact_sheet

    tiles = []
    for number, cell in cells:
        with Image.open(cell) as image:
            tiles.append((f"channel {number}", np.asarray(image.convert("RGB"))))
    return contact_sheet(tiles)
