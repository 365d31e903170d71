"""Where the video modes read and write, as in the original tool: the place the CLI takes folder names from.

``data/input_frames/<video name>[_guided]/00000001.jpg`` holds extracted frames (mode 1),
``data/output_frames/<video name>[_guided]/dream_frame_00000001.jpg`` the dreamed ones (modes 0 and 2), and
``data/dream_video/<video name>-DeepDream[_guided]__<timestamp>.mp4`` the assembled videos (modes 0 and 3).
``DEEPDREAM_INPUT`` and ``DEEPDREAM_OUTPUT`` replace the first two roots.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from deepdream_torch.video.errors import VideoError

DEFAULT_INPUT_DIR = Path("data/input_frames")
DEFAULT_OUTPUT_DIR = Path("data/output_frames")
DEFAULT_VIDEO_DIR = Path("data/dream_video")
INPUT_ENV = "DEEPDREAM_INPUT"
OUTPUT_ENV = "DEEPDREAM_OUTPUT"
IMAGE_TYPES = ("jpg", "png")

SOURCE_FRAME = re.compile(r"^(\d{8})\.(jpg|png)$")
DREAM_FRAME = re.compile(r"^dream_frame_(\d{8})\.(jpg|png)$")
_TIMESTAMP = re.compile(r"__\d{8}-\d{6}$")


def input_root(given: Path | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """The folder of extracted frames: ``given``, else ``$DEEPDREAM_INPUT``, else ``data/input_frames``."""
    return _root(given, env.get(INPUT_ENV), DEFAULT_INPUT_DIR)


def output_root(given: Path | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """The folder of dreamed frames: ``given``, else ``$DEEPDREAM_OUTPUT``, else ``data/output_frames``."""
    return _root(given, env.get(OUTPUT_ENV), DEFAULT_OUTPUT_DIR)


def _root(given: Path | None, from_env: str | None, default: Path) -> Path:
    if given is not None:
        return Path(given)
    return Path(from_env) if from_env else default


def video_name(video: Path) -> str:
    """The name a video's folders and outputs are called by: its file name without the extension."""
    return Path(video).stem


def frames_folder(root: Path, name: str, guided: bool = False) -> Path:
    """``<root>/<name>``, or ``<root>/<name>_guided`` for a guided dream (the original kept them apart)."""
    return Path(root) / (f"{name}_guided" if guided else name)


def source_frame_path(folder: Path, number: int, image_type: str) -> Path:
    """Extracted frame ``number`` (1-based): ``<folder>/00000001.jpg``."""
    return Path(folder) / f"{number:08d}.{image_type}"


def dream_frame_path(folder: Path, number: int, image_type: str) -> Path:
    """Dreamed frame ``number`` (1-based, the source's numbering): ``<folder>/dream_frame_00000001.jpg``."""
    return Path(folder) / f"dream_frame_{number:08d}.{image_type}"


def dream_video_path(
    name: str, guided: bool = False, when: datetime | None = None, video_dir: Path = DEFAULT_VIDEO_DIR
) -> Path:
    """``<video_dir>/<name>-DeepDream[_guided]__<YYYYmmdd-HHMMSS>.mp4``; ``when`` defaults to now."""
    stamp = (when or datetime.now()).strftime("%Y%m%d-%H%M%S")
    suffix = "_guided" if guided else ""
    return Path(video_dir) / f"{name}-DeepDream{suffix}__{stamp}.mp4"


def partial_video_path(video_out: Path) -> Path:
    """Where a video is written until it is complete: ``<name>-DeepDream.partial.mp4`` beside ``video_out``.

    The timestamp is left out so that an interrupted run and its resumption share one partial file instead of
    leaving one behind per attempt; the suffix stays last so that players still open it.
    """
    video_out = Path(video_out)
    stem = _TIMESTAMP.sub("", video_out.stem)
    return video_out.with_name(f"{stem}.partial{video_out.suffix}")


def check_image_type(image_type: str) -> str:
    """``image_type`` in the form frame files are named by (``jpg`` or ``png``)."""
    normal = image_type.lower().lstrip(".")
    normal = "jpg" if normal == "jpeg" else normal
    if normal not in IMAGE_TYPES:
        raise VideoError(f"image type {image_type!r} is not supported: use jpg or png")
    return normal
