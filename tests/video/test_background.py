import threading
import time

import pytest

from deepdream_torch.video.background import Prefetch, Sink


def test_prefetch_hands_over_every_item_in_order():
    with Prefetch(lambda: iter(range(50)), ahead=3) as items:
        assert list(items) == list(range(50))
        assert items.exhausted and items.handed == 50


def test_prefetch_raises_the_readers_error_on_the_consumers_thread():
    def broken():
        yield 1
        raise ValueError("bad frame")

    with Prefetch(broken, ahead=2) as items:
        assert next(items) == 1
        with pytest.raises(ValueError, match="bad frame"):
            next(items)


def test_leaving_early_closes_the_reader_on_its_own_thread():
    closed_on = []

    def endless():
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed_on.append(threading.current_thread().name)

    with Prefetch(endless, ahead=2, name="reader") as items:
        assert next(items) == 0
    assert closed_on == ["reader"]
    assert not items.exhausted


def test_prefetch_reads_ahead_while_the_consumer_works():
    def slow():
        for n in range(5):
            time.sleep(0.1)
            yield n

    began = time.perf_counter()
    with Prefetch(slow, ahead=5) as items:
        for _ in items:
            time.sleep(0.1)  # the consumer's work overlaps the reader's: 0.6 s in all
    assert time.perf_counter() - began < 0.85  # 1.0 s if they took turns


def test_sink_consumes_in_order_on_its_own_thread():
    seen, threads = [], set()

    def consume(item):
        seen.append(item)
        threads.add(threading.current_thread().name)

    with Sink(consume, behind=2, name="writer") as sink:
        for n in range(20):
            sink.put(n)
    assert seen == list(range(20)) and threads == {"writer"}


def test_sink_saves_what_was_put_before_an_error_in_the_caller():
    seen = []
    with pytest.raises(RuntimeError, match="caller"), Sink(seen.append, behind=2) as sink:
        sink.put(1)
        sink.put(2)
        raise RuntimeError("caller")
    assert seen == [1, 2]


def test_the_consumers_error_comes_back():
    def consume(item):
        if item == 3:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), Sink(consume, behind=1) as sink:
        for n in range(10):
            sink.put(n)
