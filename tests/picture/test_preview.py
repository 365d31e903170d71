"""Previews: a quarter of the size, half the iterations, every n-th frame of a video into a folder of its own."""

from __future__ import annotations

import numpy as np
import pytest

from deepdream_torch.cli.sample import write_sample_clip
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.pixels import as_rgb_array
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.picture.preview import preview_settings, preview_video, shrink
from deepdream_torch.runner import DreamRecipe

CPU = Runtime(device="cpu")


def test_preview_settings_halve_the_iterations_rounding_up():
    assert preview_settings(DreamSettings(iterations=10)).iterations == 5
    assert preview_settings(DreamSettings(iterations=3)).iterations == 2
    assert preview_settings(DreamSettings(iterations=1, octaves=3)) == DreamSettings(iterations=1, octaves=3)


def test_shrink_scales_both_sides_and_averages():
    picture = np.zeros((40, 80, 3), np.uint8)
    picture[:, ::2] = 200  # stripes one pixel wide: area averaging gives their mean, not one of them
    small = shrink(picture, 0.25)
    assert small.shape == (10, 20, 3)
    assert np.abs(small.astype(int) - 100).max() <= 1
    with pytest.raises(DreamError, match="at most 1"):
        shrink(picture, 1.5)


@pytest.mark.usefixtures("one_thread")
def test_video_preview_dreams_every_nth_frame_at_the_scale(tiny_net, tmp_path):
    clip = write_sample_clip(tmp_path / "clip.mp4", 64, 48, seconds=7 / 12, fps=12)  # 7 frames
    out = tmp_path / "clip_preview"
    recipe = DreamRecipe(preview_settings(DreamSettings(octaves=1, iterations=2, jitter=2)), CPU)
    written = preview_video(clip, recipe.dreamer(tiny_net), out, ["conv2", "conv1"], every=3, scale=0.5)
    assert [p.name for p in written] == [f"dream_frame_{n:08d}.jpg" for n in (1, 4, 7)]
    assert all(as_rgb_array(p).shape == (24, 32, 3) for p in written)
    assert (out / "contact_sheet.jpg").is_file()
    assert sorted(p.name for p in out.iterdir()) == sorted([*(p.name for p in written), "contact_sheet.jpg"])
