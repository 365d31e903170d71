"""The dream recipe the flags ask for: one builder shared by the video modes, the previews and single pictures."""

from __future__ import annotations

from dataclasses import replace

from deepdream_torch.cli.artist import objective_for
from deepdream_torch.cli.flags import Checked, Flags, runtime_of
from deepdream_torch.cli.model import Model
from deepdream_torch.dreaming.layers import distinct
from deepdream_torch.runner import DreamRecipe


def recipe_of(flags: Flags, checked: Checked, model: Model) -> DreamRecipe:
    """What the flags' dreamer is made of: the settings with the model's mean, the runtime, guide, seed and jitter
    seed (frame n's jitter is ``frame_seeds``' ``seed + n``, or ``seed`` for every frame with ``--jitter-seed
    fixed``, so it dreams the same whether or not the run was resumed) and the channel objectives."""
    objective = objective_for(flags, model.net, checked.layers)
    objectives = {layer: objective(layer) for layer in distinct(checked.layers)} if objective else None
    return DreamRecipe(
        replace(checked.settings, mean=model.mean), runtime_of(flags), guide=checked.guide, seed=flags.seed,
        objectives=objectives, jitter_seed=checked.jitter_seed,
    )  # fmt: skip
