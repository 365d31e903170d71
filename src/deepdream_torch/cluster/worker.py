"""One worker: the net loaded once, then chunks dreamed one after another into the shared frames folder.

Plain Python (Ray wraps it as an actor in ``runtime.py``), so a chunk can be dreamed and tested in-process.
A chunk reuses the video package's ``dream_sequence``: blend, layer cycle and per-frame seeds behave exactly
as in a sequential run; only where it begins differs (``plan.chunk_begin``).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from deepdream_torch.cluster.plan import Chunk, chunk_begin
from deepdream_torch.cluster.sources import FrameSource
from deepdream_torch.video.background import QUEUE_FRAMES, Prefetch
from deepdream_torch.video.blend import Blend
from deepdream_torch.video.dream_loop import Dreamer, dream_sequence
from deepdream_torch.video.flow import NO_FLOW, Flow, limit_threads, with_motion
from deepdream_torch.video.frame import Frame
from deepdream_torch.video.images import read_image, write_image
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.paths import dream_frame_path
from deepdream_torch.video.progress import NO_PROGRESS


@dataclass(frozen=True)
class ChunkJob:
    """What every chunk of a run shares: where frames come from and go, and how they are blended."""

    source: FrameSource
    frames_dir: Path
    layers: tuple[str, ...]
    blend: Blend
    image_type: str
    first: int  # the run's first frame: no chunk warms up before it
    warmup: int | None = None  # frames a chunk starts early (the driver sets it); None: from the first frame
    batch_size: int = 1
    flow: Flow = NO_FLOW  # how the previous dream follows the motion (and is pulled), as in modes 0 and 2


@dataclass(frozen=True)
class ChunkReport:
    """What dreaming one chunk did: frames ``dreamed`` and written, ``warmup`` frames dreamed and discarded,
    ``reused`` frames read back from disk, the seconds it took and the part of them spent in the dreamer."""

    chunk: Chunk
    dreamed: int
    warmup: int
    reused: int
    seconds: float
    worker: int
    dream_seconds: float = 0.0


class ChunkWorker:
    """Dreams the chunks it is given with the dreamer ``recipe`` builds from the net, loaded on the first chunk
    and kept (``load_net`` is asked once per worker process; a restarted worker asks again)."""

    def __init__(
        self, recipe: Callable[[torch.nn.Module], Dreamer], job: ChunkJob, threads: int | None = None
    ) -> None:
        if threads:
            # Several workers on one machine: each keeps to its share of the cores instead of all of them.
            torch.set_num_threads(threads)
            limit_threads(threads)  # OpenCV's optical flow runs beside the dream: the same share
        self.recipe = recipe
        self.job = job
        self.dreamer: Dreamer | None = None

    def load(self, load_net: Callable[[], torch.nn.Module]) -> Dreamer:
        """The dreamer, built from ``load_net()`` the first time."""
        if self.dreamer is None:
            self.dreamer = self.recipe(load_net())
        return self.dreamer

    def dream_chunk(self, chunk: Chunk, load_net: Callable[[], torch.nn.Module]) -> ChunkReport:
        """Dream the frames of ``chunk`` not on disk yet; frames on disk are never dreamed again."""
        job, began = self.job, time.perf_counter()
        dreamer, dreaming = self.load(load_net), [0.0]

        def timed(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int], **options: Any) -> np.ndarray:
            started = time.perf_counter()
            try:
                return dreamer(frames, layers, numbers, **options)
            finally:
                dreaming[0] += time.perf_counter() - started

        def path(number: int) -> Path:
            return dream_frame_path(job.frames_dir, number, job.image_type)

        begin = chunk_begin(chunk, job.first, job.warmup, lambda n: path(n).is_file())
        if begin is None:
            return ChunkReport(chunk, 0, 0, len(chunk.frames), time.perf_counter() - began, os.getpid())

        def finished(number: int) -> np.ndarray | None:
            # Frames written by an earlier run or by the worker of the chunk before: read back, not redone.
            return read_image(path(number)) if path(number).is_file() else None

        flow = job.flow

        def read() -> Iterator[Frame]:
            # On a thread beside the dreamer, as in modes 0 and 2: decoding and the optical flow never hold it up.
            frames = job.source.frames(begin, chunk.end)
            return frames if flow.off or job.blend.independent else with_motion(frames, flow, first=begin + 1)

        dreamed = warmup = reused = 0
        with Prefetch(read, QUEUE_FRAMES + job.batch_size, "read frames") as frames:
            for item in dream_sequence(
                frames, timed, job.layers, FrameOptions(job.blend, flow, batch_size=job.batch_size),
                finished=finished, stop=threading.Event(), progress=NO_PROGRESS, total=chunk.end - begin + 1,
            ):  # fmt: skip
                number = item.frame.number
                if item.reused:
                    reused += number >= chunk.start
                elif number < chunk.start:
                    warmup += 1  # state for the chunk, not a frame of it: the chunk before writes this one
                else:
                    write_image(path(number), item.frame.image)
                    dreamed += 1
        seconds = time.perf_counter() - began
        return ChunkReport(chunk, dreamed, warmup, reused, seconds, os.getpid(), dreaming[0])

