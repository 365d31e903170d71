"""What every dreamer is built from (one process or a Ray worker): the recipe carries every dream setting, --tile and --max-memory included."""

from __future__ import annotations

import numpy as np
import pytest

from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.runner.recipe import DreamRecipe


@pytest.fixture
def seen(monkeypatch) -> dict:
    """What the recipe's dreamer hands to dream_batch (which returns the frames as they are)."""
    options: dict = {}

    def fake_dream_batch(frames, net, layers, settings, runtime, **given):
        options.update(given, settings=settings, runtime=runtime)
        return frames

    monkeypatch.setattr("deepdream_torch.runner.recipe.dream_batch", fake_dream_batch)
    return options


def test_the_recipe_hands_tile_and_budget_to_the_dream(seen) -> None:
    recipe = DreamRecipe(DreamSettings(iterations=3), Runtime("cpu", tile=256, max_memory="1GiB"), seed=7)
    frames = np.zeros((2, 8, 8, 3), np.uint8)
    assert recipe(net=None)(frames, ["a", "b"], [4, 5]) is frames
    runtime, settings = seen["runtime"], seen["settings"]
    assert (runtime.tile, runtime.max_memory, settings.iterations, seen["seed"]) == (256, "1GiB", 3, [11, 12])


def test_the_recipe_hands_on_the_pull_and_seeds_every_frame_alike_with_a_fixed_jitter_seed(seen) -> None:
    recipe = DreamRecipe(DreamSettings(), Runtime("cpu"), seed=7, jitter_seed="fixed")
    frames = np.zeros((2, 8, 8, 3), np.uint8)
    pulls = [object(), None]
    recipe(net=None)(frames, ["a", "b"], [4, 5], pulls=pulls)
    assert seen["seed"] == [7, 7] and seen["pulls"] is pulls
