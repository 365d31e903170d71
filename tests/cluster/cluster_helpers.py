"""Stand-in dreamers for the Ray tests: cheap, deterministic, and leaving a trace of every frame they dream.

The workers are other processes, so the trace is files: one empty file per frame dreamed, named by its number.
The conftest sends this module to the workers by value, so they need not import the tests package.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch


@dataclass(frozen=True)
class TracedRecipe:
    """A recipe whose dreamer inverts the picture (255 - x) and leaves ``trace/<number>-t<torch threads>-<id>``
    per frame.

    ``die_at``: the first time frame ``die_at`` is to be dreamed, the worker process exits at once (as a worker
    lost to a crash or a lost machine). ``interrupt_at``: after dreaming that frame, SIGINT to ``driver`` (as
    Ctrl-C in the terminal of the driver).
    """

    trace: Path
    die_at: int | None = None
    interrupt_at: int | None = None
    driver: int = 0
    seconds: float = 0.0  # per frame, so that a run lasts long enough to be interrupted

    def __call__(self, net: torch.nn.Module):
        def dreamer(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
            for number in numbers:
                if number == self.die_at and not (self.trace / "died").exists():
                    (self.trace / "died").touch()
                    os._exit(1)
                (self.trace / f"{number:04d}-t{torch.get_num_threads()}-{uuid.uuid4().hex}").touch()
            time.sleep(self.seconds * len(numbers))
            if self.interrupt_at is not None and self.interrupt_at in numbers:
                os.kill(self.driver, signal.SIGINT)
            return 255 - frames

        return dreamer


def worker_threads(trace: Path) -> set[int]:
    """The torch thread counts the frames were dreamed with."""
    return {int(entry.name.split("-")[1][1:]) for entry in trace.iterdir() if entry.name[0].isdigit()}


def dreamed_counts(trace: Path) -> dict[int, int]:
    """Frame number → how many times a worker dreamed it."""
    counts: dict[int, int] = {}
    for entry in trace.iterdir():
        if entry.name[0].isdigit():
            number = int(entry.name.split("-")[0])
            counts[number] = counts.get(number, 0) + 1
    return counts
