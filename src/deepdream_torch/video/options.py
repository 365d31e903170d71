"""How a video run dreams its frames (``FrameOptions``): what modes 0 and 2, the Ray workers and the frame loop
share, as one value instead of a row of keywords."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from deepdream_torch.video.blend import DEFAULT_BLEND, Blend
from deepdream_torch.video.flow import NO_FLOW, Flow
from deepdream_torch.video.frame import ALL_FRAMES, FrameRange
from deepdream_torch.video.partial import DEFAULT_ENCODER, Encoder


@dataclass(frozen=True)
class FrameOptions:
    """``blend`` mixes each source frame into the previous dream; ``flow`` carries the previous dream along the
    motion (``--flow``); ``frames``: 1-based inclusive range; frames saved as ``image_type``; ``batch_size`` frames
    go to the dreamer together when the blend leaves them independent; ``restart`` dreams everything again;
    ``record`` (a JSON-able mapping of what shapes a frame; None: nothing checked or recorded) is kept beside the
    frames and a rerun with another is refused; ``measure`` logs the run's warping error beside the footage's at
    level 2; ``encoder`` says how the video is written (its quality; mode 0 takes the frame times of its source)."""

    blend: Blend = DEFAULT_BLEND
    flow: Flow = NO_FLOW
    frames: FrameRange = ALL_FRAMES
    image_type: str = "jpg"
    batch_size: int = 1
    restart: bool = False
    record: Mapping[str, object] | None = None
    measure: bool = False
    encoder: Encoder = DEFAULT_ENCODER


DEFAULT_OPTIONS = FrameOptions()
