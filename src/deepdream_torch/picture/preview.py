"""Previews for picking layers and settings fast: smaller pictures, half the iterations, every n-th video frame.

A video preview dreams each sampled frame on its own (no blend: the frames it takes are far apart) and writes
them with their source frame numbers into a folder of their own plus a contact sheet, never into the real frames
folder, so a preview can never be resumed from or assembled by mistake. It reads the video with the video
package's decoder; it lives here because what it makes is a set of single pictures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.layers import layer_for_frame
from deepdream_torch.dreaming.settings import DreamSettings, Log
from deepdream_torch.picture.contact_sheet import contact_sheet
from deepdream_torch.picture.files import save_atomic
from deepdream_torch.video.decode import decode_frames
from deepdream_torch.video.dream_loop import Dreamer
from deepdream_torch.video.paths import dream_frame_path

PREVIEW_SCALE = 0.25
PREVIEW_EVERY = 10


def preview_settings(settings: DreamSettings) -> DreamSettings:
    """``settings`` with half the iterations, rounded up (10 → 5): at a quarter of the size that makes a
    preview about 1/32 of the full dream's steps-times-pixels."""
    return replace(settings, iterations=math.ceil(settings.iterations / 2))


def shrink(picture: np.ndarray, scale: float) -> np.ndarray:
    """``picture`` resized to ``scale`` of its width and height (area averaging), at least 1x1."""
    if not 0 < scale <= 1:
        raise DreamError(f"preview scale must be above 0 and at most 1 (got {scale})")
    height, width = picture.shape[:2]
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size == (width, height):
        return picture
    return cv2.resize(picture, size, interpolation=cv2.INTER_AREA)


def preview_video(
    video: str | Path,
    dreamer: Dreamer,
    out_dir: str | Path,
    layers: Sequence[str],
    *,
    every: int = PREVIEW_EVERY,
    scale: float = PREVIEW_SCALE,
    image_type: str = "jpg",
    log: Log | None = None,
) -> list[Path]:
    """Dream frames 1, 1 + ``every``, ... of ``video`` at ``scale`` into ``out_dir`` (``dream_frame_<source
    number>``), each with the layer (and, through ``dreamer``'s seeding by frame number, the seed) the full run gives
    it; writes ``contact_sheet.jpg`` of them and returns the frame files. ``dreamer`` is the full run's with
    ``preview_settings`` (``runner.DreamRecipe``); ``log`` gets a line per frame written."""
    if every < 1:
        raise DreamError(f"preview every must be at least 1 frame (got {every})")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    tiles: list[tuple[str, np.ndarray]] = []
    for frame in decode_frames(Path(video)):
        if (frame.number - 1) % every:
            continue
        layer = layer_for_frame(layers, frame.number)
        dreamed = dreamer(shrink(frame.image, scale)[None], [layer], [frame.number])[0]
        path = save_atomic(dreamed, dream_frame_path(out_dir, frame.number, image_type))
        written.append(path)
        tiles.append((f"frame {frame.number}: {layer}", dreamed))
        if log is not None:
            log(1, f"preview frame {frame.number}: {path}")
    if tiles:
        save_atomic(contact_sheet(tiles), out_dir / "contact_sheet.jpg")
    return written
