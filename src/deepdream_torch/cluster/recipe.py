"""What a worker needs to build its dreamer from the net it was sent: the dream settings, seeded per frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from deepdream_torch.dreaming.dream import dream_batch
from deepdream_torch.dreaming.objectives import Objective
from deepdream_torch.dreaming.pull import Pull
from deepdream_torch.dreaming.settings import DEFAULT_RUNTIME, DreamSettings, Runtime
from deepdream_torch.video.frame import Dreamer, frame_seeds


@dataclass(frozen=True)
class DreamRecipe:
    """The settings of a run, small enough to send to every worker; ``recipe(net)`` is the dreamer.

    Frame n's jitter is seeded as the single-process modes seed it (``frame_seeds``: ``seed + n``, or ``seed``
    for every frame), so a frame dreams the same whichever worker takes it and whether or not the run was
    resumed; a carried frame's temporal pull (``pulls``) comes from the worker's own ``dream_sequence``.
    """

    settings: DreamSettings  # the model's mean included
    # No log: a worker's lines would go nowhere. The memory budget (max_memory) defaults to the worker's device.
    runtime: Runtime = DEFAULT_RUNTIME
    guide: np.ndarray | None = None
    seed: int = 0
    objectives: Mapping[str, Objective] | None = None  # layer → what to maximise there; None: l2 of the layer
    jitter_seed: str = "frame"  # video.flow.JITTER_SEEDS

    def __call__(self, net: torch.nn.Module) -> Dreamer:
        def dreamer(
            frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int], pulls: Sequence[Pull | None] | None = None
        ) -> np.ndarray:
            return dream_batch(
                frames, net, list(layers), self.settings, self.runtime, guide=self.guide,
                seed=frame_seeds(self.seed, numbers, self.jitter_seed), pulls=pulls,
                objectives=None if self.objectives is None else [self.objectives[layer] for layer in layers],
            )  # fmt: skip

        return dreamer
