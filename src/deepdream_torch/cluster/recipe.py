"""What a worker needs to build its dreamer from the net it was sent: the dream settings, seeded per frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from deepdream_torch.dreaming.dream import dream_batch
from deepdream_torch.dreaming.objectives import Objective
from deepdream_torch.dreaming.pull import Pull
from deepdream_torch.dreaming.settings import IMAGENET_MEAN, DreamSettings
from deepdream_torch.video.frame import Dreamer, frame_seeds


@dataclass(frozen=True)
class DreamRecipe:
    """The settings of a run, small enough to send to every worker; ``recipe(net)`` is the dreamer.

    Frame n's jitter is seeded as the single-process modes seed it (``frame_seeds``: ``seed + n``, or ``seed``
    for every frame), so a frame dreams the same whichever worker takes it and whether or not the run was
    resumed; a carried frame's temporal pull (``pulls``) comes from the worker's own ``dream_sequence``.
    """

    settings: DreamSettings
    mean: tuple[float, float, float] = IMAGENET_MEAN
    guide: np.ndarray | None = None
    device: str = "auto"
    precision: str = "fp32"
    seed: int = 0
    objectives: Mapping[str, Objective] | None = None  # layer → what to maximise there; None: l2 of the layer
    tile: str | int = "auto"  # --tile; the memory budget (--max-memory) defaults to the worker's own device
    max_memory: int | str | None = None
    jitter_seed: str = "frame"  # video.frame.JITTER_SEEDS

    def __call__(self, net: torch.nn.Module) -> Dreamer:
        def dreamer(
            frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int], pulls: Sequence[Pull | None] | None = None
        ) -> np.ndarray:
            return dream_batch(
                frames, net, list(layers),
                octaves=self.settings.octaves, octave_scale=self.settings.octave_scale,
                iterations=self.settings.iterations, jitter=self.settings.jitter,
                step_size=self.settings.step_size, guide=self.guide, mean=self.mean,
                device=self.device, seed=frame_seeds(self.seed, numbers, self.jitter_seed),
                precision=self.precision, pulls=pulls,
                objectives=None if self.objectives is None else [self.objectives[layer] for layer in layers],
                tile=self.tile, max_memory=self.max_memory,
            )  # fmt: skip

        return dreamer
