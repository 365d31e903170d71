"""``DreamRecipe``: what a dreamer is made of (settings, runtime, guide, seeds, objectives), small enough to send
to every Ray worker; ``recipe.dreamer(net)`` builds the one dreamer every mode dreams with."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from deepdream_torch.dreaming.dream import dream_batch
from deepdream_torch.dreaming.objectives import Objective
from deepdream_torch.dreaming.pull import Pull
from deepdream_torch.dreaming.settings import DEFAULT_RUNTIME, DreamSettings, Runtime
from deepdream_torch.video.dream_loop import Dreamer
from deepdream_torch.video.frame import frame_seeds

# The dream's per-step progress callback (``dreaming.loop.DreamProgress`` events), e.g. a reporter's ``step``.
Steps = Callable[..., None]


@dataclass(frozen=True)
class DreamRecipe:
    """The dream settings of a run, bound to a net by ``dreamer(net)``.

    Frame n's jitter is seeded by ``frame_seeds`` (``seed + n``, or ``seed`` for every frame with
    ``jitter_seed="fixed"``), so a frame dreams the same whichever process dreams it and whether or not the run
    was resumed. ``settings`` include the model's mean. ``objectives``: layer → what to maximise there (None: the
    L2 of the layer). ``runtime.log`` takes the dream's detail lines; a Ray worker's recipe has none.
    """

    settings: DreamSettings
    runtime: Runtime = DEFAULT_RUNTIME
    guide: np.ndarray | None = None
    seed: int = 0
    objectives: Mapping[str, Objective] | None = None
    jitter_seed: str = "frame"  # video.flow.JITTER_SEEDS

    def dreamer(self, net: torch.nn.Module, steps: Steps | None = None) -> Dreamer:
        """The dreamer of ``net`` with these settings; ``steps`` receives the dream's per-step progress."""

        def dream(
            frames: np.ndarray,
            layers: Sequence[str],
            numbers: Sequence[int],
            *,
            pulls: Sequence[Pull | None] | None = None,
        ) -> np.ndarray:
            return dream_batch(
                frames, net, list(layers), self.settings, self.runtime, guide=self.guide,
                seed=frame_seeds(self.seed, numbers, self.jitter_seed), progress=steps, pulls=pulls,
                objectives=None if self.objectives is None else [self.objectives[layer] for layer in layers],
            )  # fmt: skip

        return dream

    def __call__(self, net: torch.nn.Module) -> Dreamer:
        """``dreamer(net)``: a recipe is what a Ray worker is handed to build its dreamer."""
        return self.dreamer(net)
