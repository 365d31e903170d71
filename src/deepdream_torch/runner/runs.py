"""A run as a frozen value: ``PictureRun``, ``VideoRun`` (modes 0 to 3), ``ZoomRun``; built once by a front end
(the CLI from its flags, a web page from its form) and handed to ``run.run``. The Ray job carries the same value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch

from deepdream_torch.picture.zoom import Camera
from deepdream_torch.runner.recipe import DreamRecipe
from deepdream_torch.video.blend import DEFAULT_BLEND, Blend
from deepdream_torch.video.flow import NO_FLOW, Flow
from deepdream_torch.video.frame import ALL_FRAMES, FrameRange
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.partial import DEFAULT_ENCODER, Encoder

# What shapes a frame, as a frames folder's manifest records it (JSON-able; ``video.manifest``): a rerun resumes
# only when it matches. None: nothing is checked or recorded.
Record = Mapping[str, object]
DEFAULT_CAMERA = Camera()  # the zoom flags' defaults: 5% in per frame
ZOOM_ENCODER = Encoder(frame_rate=Fraction(24))  # --zoom-fps's default


@dataclass(frozen=True)
class Dreaming:
    """What dreams: the ``net`` (a loaded model), the ``layers`` (cycled one per frame in a video, one picture each
    in single-picture mode) and the ``recipe`` (settings, runtime, guide, seeds, objectives)."""

    net: torch.nn.Module
    layers: tuple[str, ...]
    recipe: DreamRecipe


@dataclass(frozen=True)
class RayPlan:
    """How a video run is spread over a Ray cluster (``--ray``): the ``address`` (``local`` starts one here),
    ``workers`` (None: one per GPU, else one per two CPUs), torch ``threads`` per worker, frames per chunk and
    warm-up frames (None: chosen from the blend)."""

    address: str = "local"
    workers: int | None = None
    threads: int | None = None
    chunk_frames: int | None = None
    warmup: int | None = None


@dataclass(frozen=True)
class VideoRun:
    """Mode 0 (``source`` a video: dream it into ``frames_dir`` and ``video_out``), 1 (extract ``source``'s frames
    into ``frames_dir``), 2 (``source`` a folder of extracted frames, dreamed into ``frames_dir``) or 3 (assemble
    ``frames_dir`` into ``video_out``, with ``source``'s frame times and audio when it is a video, else at
    ``encoder.frame_rate``, silent).

    ``dreaming`` is needed by modes 0 and 2. ``blend`` mixes each source frame into the previous dream; ``flow``
    carries the previous dream along the motion (``--flow``); ``frames``: 1-based inclusive range. ``restart``
    dreams everything again; ``record`` (what shapes a frame) is recorded beside the frames and a rerun with
    another is refused. ``measure`` logs the run's warping error beside the footage's. ``batch_size`` frames go to
    the dreamer together when the blend leaves them independent. ``ray``: dream in chunks on a Ray cluster.
    """

    mode: int
    source: Path | None
    frames_dir: Path
    video_out: Path | None = None
    dreaming: Dreaming | None = None
    blend: Blend = DEFAULT_BLEND
    flow: Flow = NO_FLOW
    frames: FrameRange = ALL_FRAMES
    image_type: str = "jpg"
    restart: bool = False
    record: Record | None = None
    measure: bool = False
    encoder: Encoder = DEFAULT_ENCODER
    batch_size: int = 1
    ray: RayPlan | None = None

    def frame_options(self) -> FrameOptions:
        """How the video package's frame loop dreams this run's frames."""
        return FrameOptions(
            self.blend, self.flow, self.frames, self.image_type, self.batch_size, self.restart, self.record,
            self.measure, self.encoder,
        )  # fmt: skip


@dataclass(frozen=True)
class PictureRun:
    """Single-picture mode: ``picture`` (a file, or an array with its ``name``) dreamed once per distinct layer of
    ``dreaming.layers`` into ``out_dir`` (default ``data/single_pictures/<name>/``), plus a contact sheet.
    ``chain`` dreams each layer from the previous one's result (the original's way); ``tag`` is added to the file
    names (a channel objective's); ``batch_size`` layers at once (None: all on CUDA, one on the CPU)."""

    picture: Path | np.ndarray
    dreaming: Dreaming
    out_dir: Path | None = None
    image_type: str = "jpg"
    chain: bool = False
    name: str | None = None
    tag: str = ""
    batch_size: int | None = None


@dataclass(frozen=True)
class ZoomRun:
    """A zoom animation from a still: ``picture`` dreamed, moved by ``camera``, dreamed again, ``count`` frames
    into ``frames_dir``, encoded as ``video_out`` at ``encoder.frame_rate``. Resumes, restarts and records its
    settings (``record``) as a video run does."""

    picture: Path | np.ndarray
    dreaming: Dreaming
    frames_dir: Path
    video_out: Path
    count: int
    camera: Camera = DEFAULT_CAMERA
    image_type: str = "jpg"
    restart: bool = False
    record: Record | None = None
    encoder: Encoder = ZOOM_ENCODER
