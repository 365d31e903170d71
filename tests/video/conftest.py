"""Fixtures of the video tests; the helpers themselves are in ``video_clips.py``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.video.video_clips import write_clip


@pytest.fixture
def make_clip(tmp_path: Path) -> Callable[..., Path]:
    """``make_clip(name="clip.mp4", **write_clip options)`` → the path of a new generated clip."""

    def make(name: str = "clip.mp4", **options: object) -> Path:
        return write_clip(tmp_path / name, **options)  # type: ignore[arg-type]

    return make
