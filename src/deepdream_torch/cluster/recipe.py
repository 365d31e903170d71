"""What a worker needs to build its dreamer from the net it was sent: the dream settings, seeded per frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from deepdream_torch.dreaming.dream import dream_batch
from deepdream_torch.dreaming.objectives import Objective
from deepdream_torch.dreaming.settings import DEFAULT_RUNTIME, DreamSettings, Runtime
from deepdream_torch.video.frame import Dreamer


@dataclass(frozen=True)
class DreamRecipe:
    """The settings of a run, small enough to send to every worker; ``recipe(net)`` is the dreamer.

    Frame n's jitter is seeded with ``seed + n``, as the single-process modes do, so a frame dreams the same
    whichever worker takes it and whether or not the run was resumed.
    """

    settings: DreamSettings  # the model's mean included
    # No log: a worker's lines would go nowhere. The memory budget (max_memory) defaults to the worker's device.
    runtime: Runtime = DEFAULT_RUNTIME
    guide: np.ndarray | None = None
    seed: int = 0
    objectives: Mapping[str, Objective] | None = None  # layer → what to maximise there; None: l2 of the layer

    def __call__(self, net: torch.nn.Module) -> Dreamer:
        def dreamer(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
            return dream_batch(
                frames, net, list(layers), self.settings, self.runtime, guide=self.guide,
                seed=[self.seed + n for n in numbers],
                objectives=None if self.objectives is None else [self.objectives[layer] for layer in layers],
            )  # fmt: skip

        return dreamer
