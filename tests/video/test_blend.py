import numpy as np
import pytest

from deepdream_torch.video.blend import Blend, blend_frames, parse_blend
from deepdream_torch.video.errors import VideoError


def test_loop_walks_up_from_half_in_tenths_and_back_from_frame_two():
    weights = [parse_blend("loop").weight(n) for n in range(2, 20)]
    expected = [0.5, 0.6, 0.7, 0.8, 0.9, 0.8, 0.7, 0.6] * 2 + [0.5, 0.6]
    assert weights == pytest.approx(expected)


def test_random_stays_in_half_to_one_and_is_fixed_by_seed_and_frame():
    blend = parse_blend("random", seed=7)
    weights = [blend.weight(n) for n in range(2, 200)]
    assert all(0.5 <= w < 1.0 for w in weights)
    assert np.std(weights) > 0.1  # uniform on [0.5, 1) has std 0.144
    assert weights == [parse_blend("random", seed=7).weight(n) for n in range(2, 200)]
    assert weights != [parse_blend("random", seed=8).weight(n) for n in range(2, 200)]


def test_fixed_blend_and_independence():
    assert parse_blend("0.25").weight(5) == 0.25
    assert parse_blend(1.0).independent
    assert not parse_blend("0.99").independent
    assert not parse_blend("loop").independent and not parse_blend("random").independent


@pytest.mark.parametrize("text", ["1.5", "-0.1", "sometimes"])
def test_bad_blends_are_refused(text):
    with pytest.raises(VideoError, match="'loop' or 'random'"):
        parse_blend(text)


def test_blend_frames_mixes_previous_dream_and_new_frame():
    previous = np.full((2, 2, 3), 200, np.uint8)
    new = np.full((2, 2, 3), 10, np.uint8)
    # 200 * 0.3 + 10 * 0.7 = 67; 200 * 0.5 + 10 * 0.5 = 105
    assert (blend_frames(previous, new, 0.7) == 67).all()
    assert (blend_frames(previous, new, 0.5) == 105).all()
    assert (blend_frames(previous, new, 1.0) == 10).all()
    assert blend_frames(previous, new, 0.5).dtype == np.uint8


def test_default_is_the_originals_half():
    assert Blend().weight(3) == 0.5
