"""Chunk planning without Ray: the warm-up a blend needs, chunk sizes, and where a chunk begins on resume."""

from __future__ import annotations

import pytest

from deepdream_torch.cluster.plan import Chunk, chunk_begin, chunk_size, default_warmup, plan_chunks
from deepdream_torch.video.blend import Blend, parse_blend


@pytest.mark.parametrize("b", [0.05, 0.1, 0.3, 0.5, 0.75, 0.9, 0.99])
def test_warmup_is_the_fewest_frames_after_which_the_old_state_weighs_under_one_grey_level(b: float) -> None:
    k = default_warmup(Blend(value=b))
    assert (1 - b) ** k < 1 / 255 <= (1 - b) ** (k - 1)


def test_warmup_of_the_named_blends() -> None:
    assert default_warmup(parse_blend("0.5")) == 8
    assert default_warmup(parse_blend("1")) == 0  # frames are independent: nothing to warm up
    assert default_warmup(parse_blend("0")) is None  # nothing of the video gets in: from the first frame
    # loop and random never go below 0.5: their worst case is 0.5's.
    assert default_warmup(parse_blend("loop")) == default_warmup(parse_blend("random", seed=3)) == 8


def test_chunks_cover_every_frame_once_in_order() -> None:
    chunks = plan_chunks(5, 27, 6)
    frames = [n for chunk in chunks for n in chunk.frames]
    assert frames == list(range(5, 28))
    assert [len(chunk.frames) for chunk in chunks] == [6, 6, 6, 5]


def test_default_chunk_keeps_warmup_under_five_percent_when_the_video_is_long_enough() -> None:
    size = chunk_size(4500, 8, 8)
    assert size / (size + 8) >= 0.95
    assert chunk_size(4500, 8, 8) <= 4500 / 8  # never more than a worker's share
    assert chunk_size(20, 2, 8) == 10  # a short video: every worker gets its share, warm-up or not


def test_a_chunk_begins_at_its_warmup_or_the_last_finished_frame() -> None:
    chunk = Chunk(1, 11, 20)
    assert chunk_begin(chunk, 1, 4, lambda n: False) == 7  # fresh: 4 frames early
    assert chunk_begin(chunk, 9, 4, lambda n: False) == 9  # never before the run's first frame
    assert chunk_begin(chunk, 1, 4, lambda n: n <= 9) == 9  # frame 9 is finished: start from it, nothing redone
    assert chunk_begin(chunk, 1, 4, lambda n: n <= 14) == 14  # half done: on from its last finished frame
    assert chunk_begin(chunk, 1, 4, lambda n: n <= 14 or n == 17) == 14  # a later frame on disk is kept, not a start
    assert chunk_begin(chunk, 1, 4, lambda n: n <= 20) is None  # all done
    assert chunk_begin(chunk, 1, None, lambda n: n == 3) == 3  # blend 0: from the latest finished frame before
    assert chunk_begin(chunk, 1, 0, lambda n: False) == 11
