"""What a Ray worker dreams with: the recipe carries every dream setting, --tile and --max-memory included."""

from __future__ import annotations

import numpy as np

from deepdream_torch.cluster.recipe import DreamRecipe
from deepdream_torch.dreaming.settings import DreamSettings, Runtime


def test_the_recipe_hands_tile_and_budget_to_the_dream(monkeypatch) -> None:
    seen = {}

    def fake_dream_batch(frames, net, layers, settings, runtime, **options):
        seen.update(options, settings=settings, runtime=runtime)
        return frames

    monkeypatch.setattr("deepdream_torch.cluster.recipe.dream_batch", fake_dream_batch)
    recipe = DreamRecipe(DreamSettings(iterations=3), Runtime("cpu", tile=256, max_memory="1GiB"), seed=7)
    frames = np.zeros((2, 8, 8, 3), np.uint8)
    assert recipe(net=None)(frames, ["a", "b"], [4, 5]) is frames
    runtime, settings = seen["runtime"], seen["settings"]
    assert (runtime.tile, runtime.max_memory, settings.iterations, seen["seed"]) == (256, "1GiB", 3, [11, 12])
