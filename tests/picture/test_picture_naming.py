"""Output file names as the original tool wrote them."""

from deepdream_torch.dreaming.settings import DreamSettings
from deepdream_torch.picture.naming import output_name


def test_the_original_tools_name_with_slashes_as_dashes():
    name = output_name("hulk", "inception_4c/output", DreamSettings(), 12.4, "jpg")
    assert name == "dream_hulk_L-inception_4c-output_i-10_o-4_os-1.4_ss-1.5_j-32_(12sec).jpg"


def test_every_setting_shows_in_the_name():
    settings = DreamSettings(octaves=6, octave_scale=1.25, iterations=20, jitter=0, step_size=2.0)
    name = output_name("tree-river", "conv2/3x3", settings, 0.4, "png")
    assert name == "dream_tree-river_L-conv2-3x3_i-20_o-6_os-1.25_ss-2_j-0_(0sec).png"
