"""How a run is cut into chunks: the warm-up a blend needs, the chunk size, and where each chunk begins.

Frame n of a video is dreamed from ``dream(n - 1) * (1 - b) + source(n) * b``, so the state a sequential run
holds at frame s depends on every frame before it, with weight ``(1 - b)^k`` for the frame k steps back. A
chunk that starts K frames early from the source alone holds, at frame s, a state whose difference from the
sequential one weighs at most ``(1 - b)^K``: below 1/255 it is under one grey level, so K is the smallest
integer with ``(1 - b)^K < 1/255`` (8 at b = 0.5, 0 at b = 1). Warm-up frames are dreamed and thrown away, so a
chunk of C frames costs ``C + K`` dreams: efficiency ``C / (C + K)``, at least 95 % from ``C >= 19 K``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from deepdream_torch.video.blend import RANDOM_LOW, Blend

# The old state must weigh less than one grey level of 255.
STATE_TOLERANCE = 1 / 255
# Warm-up at most 5 % of the dreams: C / (C + K) >= 0.95 once C >= 19 K.
WARMUP_SHARE = 0.05


@dataclass(frozen=True)
class Chunk:
    """Frames ``start`` to ``end`` (inclusive, 1-based), ``index`` in the run's order."""

    index: int
    start: int
    end: int

    @property
    def frames(self) -> range:
        return range(self.start, self.end + 1)


def smallest_blend(blend: Blend) -> float:
    """The smallest b the schedule uses: the one that carries the most of the old state forward."""
    if blend.kind == "loop":
        return 0.5  # the loop walks 0.5 .. 0.9 and back
    if blend.kind == "random":
        return RANDOM_LOW
    return blend.value


def default_warmup(blend: Blend) -> int | None:
    """Frames a chunk starts early so that its blend state matches a sequential run's to under 1/255.

    None for b = 0: the dream never lets the source in, every frame depends on the first, and only a chunk
    that starts at the first frame is right.
    """
    b = smallest_blend(blend)
    if b >= 1.0:
        return 0
    if b <= 0.0:
        return None
    # Smallest K with K * log(1 - b) < log(1/255).
    return math.floor(math.log(STATE_TOLERANCE) / math.log(1.0 - b)) + 1


def chunk_size(frames: int, workers: int, warmup: int) -> int:
    """Default frames per chunk: warm-up under 5 % (``19 K``) when the video allows it, and about four chunks
    per worker so that a slow or restarted worker holds back at most a quarter of its share; never more than a
    worker's whole share."""
    share = math.ceil(frames / max(1, workers))
    wanted = max(math.ceil(warmup * (1 - WARMUP_SHARE) / WARMUP_SHARE), math.ceil(share / 4), 1)
    return min(share, wanted)


def plan_chunks(first: int, last: int, size: int) -> list[Chunk]:
    """Frames ``first`` .. ``last`` in consecutive chunks of ``size`` frames (the last one may be shorter)."""
    starts = range(first, last + 1, max(1, size))
    return [Chunk(index, start, min(start + size - 1, last)) for index, start in enumerate(starts)]


def chunk_begin(chunk: Chunk, first: int, warmup: int | None, on_disk: Callable[[int], bool]) -> int | None:
    """The frame a worker starts dreaming from for ``chunk``, or None when every frame of it is on disk.

    The work starts at the first frame of the chunk not on disk (m). Its blend state comes from the latest
    finished frame in the warm-up window ``[m - K, m - 1]`` when there is one (read back, nothing redone), else
    from dreaming the window from the source: frames ``max(first, m - K)`` on, dreamed and not written.
    """
    missing = next((n for n in chunk.frames if not on_disk(n)), None)
    if missing is None:
        return None
    earliest = first if warmup is None else max(first, missing - warmup)
    finished = next((n for n in range(missing - 1, earliest - 1, -1) if on_disk(n)), None)
    return finished if finished is not None else earliest


def warmup_efficiency(chunk_frames: int, warmup: int) -> float:
    """Frames kept ÷ frames dreamed for chunks of ``chunk_frames`` frames that each warm up ``warmup`` frames."""
    return chunk_frames / (chunk_frames + warmup)
