"""--temporal: carried frames pulled towards the warped previous dream inside every step, and the warping error
(E_warp) a run measures of itself."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from deepdream_torch import dream_batch
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.video.blend import Blend
from deepdream_torch.video.dream_loop import dream_sequence
from deepdream_torch.video.dream_run import dream_frames
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.flow import Flow, Motion, frame_motion, parse_flow, temporal_pull, warp
from deepdream_torch.video.frame import Frame, FrameRange, frame_seeds
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.progress import NO_PROGRESS
from deepdream_torch.video.stability import Steadiness, warping_error
from tests.dreaming.dream_nets import NETS, one_thread, random_net  # noqa: F401 (one_thread: a fixture)
from tests.video.test_flow import DIS, HEIGHT, WIDTH, _moving, _sharpen, _texture
from tests.video.video_clips import read_png, write_frames

pytestmark = pytest.mark.usefixtures("one_thread")
PULLED = replace(DIS, temporal=0.4)


def _run(images: list[np.ndarray], dreamer, flow: Flow) -> list[np.ndarray]:  # type: ignore[no-untyped-def]
    frames = [Frame(n, image) for n, image in enumerate(images, start=1)]
    return [
        item.frame.image
        for item in dream_sequence(
            frames, dreamer, ["conv2"], FrameOptions(Blend(value=0.5), flow), finished=lambda n: None,
            stop=threading.Event(), progress=NO_PROGRESS, total=len(frames),
        )
    ]  # fmt: skip


def pulled_dreamer(folder: Path):  # type: ignore[no-untyped-def]
    """A real dream on a tiny random net, seeded per frame as the CLI seeds it, and the list of whether each call
    was given a pull."""
    net = random_net(NETS / "tiny.prototxt", folder)
    pulled: list[bool] = []

    def dreamer(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int], pulls=None) -> np.ndarray:  # type: ignore[no-untyped-def]
        pulled.append(pulls is not None)
        return dream_batch(
            frames, net, list(layers), DreamSettings(octaves=2, iterations=4, jitter=6, step_size=3.0),
            Runtime(device="cpu"), seed=frame_seeds(0, numbers, "frame"), pulls=pulls,
        )  # fmt: skip

    return dreamer, pulled


@pytest.fixture
def tiny_dreamer(tmp_path: Path):  # type: ignore[no-untyped-def]
    return pulled_dreamer(tmp_path)[0]


def test_a_carried_frame_is_pulled_towards_the_warped_previous_dream_where_the_motion_is_trusted() -> None:
    images = [_moving(_texture(0), t) for t in range(3)]
    given: list[tuple[object, np.ndarray]] = []

    def recording(
        frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int], **options: object
    ) -> np.ndarray:
        given.append((options.get("pulls"), frames[0].copy()))
        return _sharpen(frames, layers, numbers)

    out = _run(images, recording, PULLED)
    assert given[0][0] is None  # the first frame carries nothing
    (pull,), start = given[1]  # type: ignore[misc]
    motion = frame_motion(images[0], images[1], DIS)
    np.testing.assert_array_equal(pull.mask, motion.mask)
    # The warped dream's patterns, shifted by one colour per channel to the mean colour the frame starts from.
    warped = warp(out[0].astype(np.float32), motion.sample_at, sharp=True)  # bicubic: a carried dream stays sharp
    offset = pull.target.astype(np.float32) - warped
    inside = (pull.target > 0) & (pull.target < 255)
    for channel in range(3):
        values = offset[..., channel][inside[..., channel]]
        assert values.max() - values.min() <= 1.0 + 1e-3
    weight = motion.mask[..., None]
    mean_of = lambda picture: (picture.astype(np.float64) * weight).sum(axis=(0, 1)) / weight.sum()
    assert np.abs(mean_of(pull.target) - mean_of(start)).max() <= 0.5
    assert pull.weight == 0.4
    assert (
        pull.mask[:, :3].max() < 1 and pull.mask[20:-20, 20:-20].min() == 1
    )  # the strip that came in: untrusted


def test_a_carried_frame_is_refined_at_its_finest_octaves_unless_a_cut_left_little_to_carry() -> None:
    frame = _moving(_texture(0), 0)
    moved = frame_motion(frame, _moving(_texture(0), 1), DIS)
    cut = frame_motion(frame, _texture(7)[:HEIGHT, :WIDTH], DIS)
    flow = replace(PULLED, refine=1)
    assert temporal_pull(frame.astype(np.float32), moved, flow).octaves == 1
    assert cut.mask.mean() < 0.5 and temporal_pull(frame.astype(np.float32), cut, flow).octaves is None
    assert temporal_pull(frame.astype(np.float32), moved, PULLED).octaves is None  # refine 0: every octave


def test_without_a_temporal_weight_the_dreamer_is_called_as_before() -> None:
    images = [_moving(_texture(0), t) for t in range(3)]
    # _sharpen takes no pulls: with weight 0 it is never offered one.
    assert len(_run(images, _sharpen, DIS)) == 3


def test_on_a_still_clip_the_pull_makes_the_frames_settle(tiny_dreamer) -> None:  # type: ignore[no-untyped-def]
    still = [_texture(0)[:48, :64]] * 10
    motion = frame_motion(still[0], still[0], DIS)

    def errors(frames: list[np.ndarray]) -> list[float]:
        return [warping_error(a, b, motion) for a, b in itertools.pairwise(frames)]  # type: ignore[misc]

    free = errors(_run(still, tiny_dreamer, DIS))
    pulled = errors(_run(still, tiny_dreamer, PULLED))
    # Each frame draws other jitter: without the pull every frame changes about as much as the one before.
    assert np.mean(pulled[-3:]) < 0.5 * np.mean(pulled[:2])
    assert np.mean(pulled[-3:]) < 0.5 * np.mean(free[-3:])


def test_a_resumed_run_with_the_pull_gives_the_frames_of_an_uninterrupted_one(
    tmp_path: Path, tiny_dreamer
) -> None:  # type: ignore[no-untyped-def]
    write_frames(tmp_path / "in", [_moving(_texture(0), t) for t in range(5)])
    common = {"blend": Blend(value=0.5), "image_type": "png", "flow": PULLED}
    dream_frames(tmp_path / "in", tmp_path / "whole", tiny_dreamer, ["conv2"], options=FrameOptions(**common))
    dream_frames(tmp_path / "in", tmp_path / "resumed", tiny_dreamer, ["conv2"], options=FrameOptions(frames=FrameRange(1, 2), **common))
    assert dream_frames(tmp_path / "in", tmp_path / "resumed", tiny_dreamer, ["conv2"], options=FrameOptions(**common)).dreamed == 3
    dream_frames(tmp_path / "in", tmp_path / "free", tiny_dreamer, ["conv2"], options=FrameOptions(**{**common, "flow": DIS}))
    for n in range(1, 6):
        name = f"dream_frame_{n:08d}.png"
        np.testing.assert_array_equal(
            read_png(tmp_path / "resumed" / name), read_png(tmp_path / "whole" / name)
        )
    last = "dream_frame_00000005.png"
    assert not np.array_equal(read_png(tmp_path / "whole" / last), read_png(tmp_path / "free" / last))


@pytest.mark.parametrize("weight", [-0.2, 1.01, float("nan")])
def test_a_temporal_weight_outside_0_to_1_is_refused(weight: float) -> None:
    with pytest.raises(VideoError, match="from 0 to 1"):
        parse_flow("dis", "fast", weight)


def test_a_temporal_weight_without_a_flow_is_refused() -> None:
    with pytest.raises(VideoError, match="give a flow method"):
        parse_flow("off", "fast", 0.3)


def test_the_warping_error_is_the_masked_mean_of_squared_differences() -> None:
    rng = np.random.default_rng(0)
    before, now = (rng.integers(0, 256, (6, 8, 3)).astype(np.uint8) for _ in range(2))
    grid = np.stack(np.meshgrid(np.arange(8, dtype=np.float32), np.arange(6, dtype=np.float32)), -1)
    mask = np.zeros((6, 8), np.float32)
    mask[2:5, 1:4] = 1.0
    # Sampling one pixel to the left: pixel (y, x) of now is compared with (y, x - 1) of before.
    error = warping_error(before, now, Motion(grid - np.float32([1, 0]), mask))
    by_hand = np.mean(
        [((now[y, x].astype(float) - before[y, x - 1]) ** 2).sum() for y in range(2, 5) for x in range(1, 4)]
    )
    assert error == pytest.approx(by_hand, rel=1e-5)
    assert warping_error(before, now, Motion(grid, np.zeros((6, 8), np.float32))) is None  # a cut: nothing


def test_a_run_measures_its_steadiness_against_the_footages(tmp_path: Path) -> None:
    images = [_moving(_texture(0), t) for t in range(5)]
    write_frames(tmp_path / "in", images)
    said: list[tuple[int, str]] = []

    class Listening(type(NO_PROGRESS)):  # type: ignore[misc]
        def log(self, level: int, message: str) -> None:
            said.append((level, message))

    def noisy(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
        noise = np.random.default_rng(numbers[0]).integers(-40, 41, frames.shape)
        return np.clip(frames.astype(int) + noise, 0, 255).astype(np.uint8)

    dream_frames(tmp_path / "in", tmp_path / "out", noisy, ["x"], options=FrameOptions(blend=Blend(value=1.0), image_type="png", measure=True), progress=Listening())  # fmt: skip
    ((level, message),) = [(level, m) for level, m in said if "warping error" in m]
    assert level == 2
    # Noise of ±40 per channel on every frame: far less steady than the footage.
    ratio = float(message.split(", ")[1].split(" x ")[0])
    assert ratio > 5
    meter = Steadiness()
    frames = list(meter.sources((Frame(n, im) for n, im in enumerate(images, start=1)), DIS))
    for frame in frames:
        meter.dreamed(frame.number, frame.image)
    assert meter.ratio() == pytest.approx(1.0)  # the footage itself, as its own dream


def test_frames_too_small_for_the_flow_are_dreamed_and_not_measured(tmp_path: Path) -> None:
    write_frames(tmp_path / "in", [_texture(s)[:8, :8] for s in range(3)])
    said: list[str] = []

    class Listening(type(NO_PROGRESS)):  # type: ignore[misc]
        def log(self, level: int, message: str) -> None:
            said.append(message)

    result = dream_frames(tmp_path / "in", tmp_path / "out", _sharpen, ["x"], options=FrameOptions(blend=Blend(value=0.5), image_type="png", measure=True), progress=Listening())  # fmt: skip
    assert result.dreamed == 3 and not any("warping error" in m for m in said)
