"""--flow: the previous dream warped along the optical flow, checked against textures moved by a known amount."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest

from deepdream_torch.video.blend import Blend
from deepdream_torch.video.dream_loop import dream_sequence
from deepdream_torch.video.dream_run import dream_frames, dream_video
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.flow import Flow, flow_input, frame_motion, parse_flow, warp, with_motion
from deepdream_torch.video.frame import Frame, FrameRange
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.progress import NO_PROGRESS
from tests.video.video_clips import dreamed_numbers, read_png, write_frames

DX, DY = 3, 2  # the picture moves right 3 px and down 2 px per frame
HEIGHT, WIDTH = 72, 96
DIS = Flow("dis", "medium")


def _texture(seed: int = 0, size: tuple[int, int] = (160, 200)) -> np.ndarray:
    noise = np.random.default_rng(seed).integers(0, 256, (*size, 3)).astype(np.uint8)
    smooth = cv2.GaussianBlur(noise, (0, 0), 2.0)
    return cv2.normalize(smooth, None, 0, 255, cv2.NORM_MINMAX)


def _moving(texture: np.ndarray, t: int) -> np.ndarray:
    """Frame t of a camera panning over ``texture``: the content moves by (+DX, +DY) each frame."""
    top, left = 40 - DY * t, 60 - DX * t
    return texture[top : top + HEIGHT, left : left + WIDTH].copy()


def _sharpen(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
    """A deterministic stand-in for a dream: local contrast boosted, so it adds detail tied to the picture."""
    out = []
    for frame in frames:
        soft = cv2.GaussianBlur(frame, (0, 0), 1.5).astype(np.float32)
        out.append(np.clip(frame + 1.5 * (frame - soft), 0, 255).astype(np.uint8))
    return np.stack(out)


def _sequence(
    images: list[np.ndarray], blend: Blend, flow: Flow, precomputed: bool = False
) -> list[np.ndarray]:
    frames = [Frame(n, image) for n, image in enumerate(images, start=1)]
    source = list(with_motion(frames, flow)) if precomputed else frames
    return [
        item.frame.image
        for item in dream_sequence(
            source, _sharpen, ["x"], FrameOptions(blend, flow), finished=lambda n: None, stop=threading.Event(),
            progress=NO_PROGRESS, total=len(frames),
        )
    ]  # fmt: skip


def _away_from_borders(image: np.ndarray, margin: int = 8) -> np.ndarray:
    return image[margin:-margin, margin:-margin]


@pytest.mark.parametrize("method", ["dis", "farneback"])
def test_the_warped_previous_dream_lines_up_with_the_current_frame(method: str) -> None:
    texture, dream_texture = _texture(0), _texture(1)
    motion = frame_motion(_moving(texture, 0), _moving(texture, 1), Flow(method, "medium"))  # type: ignore[arg-type]
    # The dream of frame 0 is a different picture riding on the same motion: warped, it must be frame 1's.
    warped = warp(_moving(dream_texture, 0).astype(np.float32), motion.sample_at)
    error = np.abs(_away_from_borders(warped) - _away_from_borders(_moving(dream_texture, 1)))
    one_pixel_off = np.abs(
        _away_from_borders(_moving(dream_texture, 1)[:, 1:].astype(np.float32))
        - _away_from_borders(_moving(dream_texture, 1)[:, :-1])
    )
    assert error.mean() < 0.5 * one_pixel_off.mean()
    grid_x = np.arange(WIDTH, dtype=np.float32)[None, :]
    grid_y = np.arange(HEIGHT, dtype=np.float32)[:, None]
    came_from_x = _away_from_borders(motion.sample_at[..., 0] - grid_x)
    came_from_y = _away_from_borders(motion.sample_at[..., 1] - grid_y)
    assert np.mean((np.abs(came_from_x + DX) < 1) & (np.abs(came_from_y + DY) < 1)) > 0.99


def test_the_disoccluded_strip_is_unreliable_and_the_rest_is_trusted() -> None:
    texture = _texture(0)
    motion = frame_motion(_moving(texture, 0), _moving(texture, 1), DIS)
    # Content enters from the left and the top: those pixels were outside frame 0.
    assert motion.mask[:, :DX].max() < 0.5
    assert motion.mask[:DY, :].max() < 0.5
    assert _away_from_borders(motion.mask).mean() > 0.95


def test_a_static_clip_with_flow_dreams_as_the_plain_blend() -> None:
    still = _moving(_texture(0), 0)
    images = [still] * 5
    blend = Blend(value=0.4)
    plain = _sequence(images, blend, Flow())
    for flow in (Flow("dis", "fast"), DIS):
        for a, b in zip(plain, _sequence(images, blend, flow), strict=True):
            np.testing.assert_array_equal(a, b)
    # Farneback finds a few hundredths of a pixel of motion in a still picture: the frames stay within a trace.
    for a, b in zip(plain, _sequence(images, blend, Flow("farneback")), strict=True):
        assert np.abs(a.astype(int) - b.astype(int)).mean() < 0.1


def test_flow_carries_the_dream_along_the_motion_and_the_plain_blend_does_not() -> None:
    texture = _texture(0)
    images = [_moving(texture, t) for t in range(4)]
    blend = Blend(value=0.5)
    plain, flowed = _sequence(images, blend, Flow()), _sequence(images, blend, DIS)
    # What a still picture would give: the dream of a frame that was always where it is now.
    steady = _sequence([images[-1]] * 4, blend, Flow())[-1]

    def off(frames: list[np.ndarray]) -> float:
        return float(np.abs(_away_from_borders(frames[-1]).astype(float) - _away_from_borders(steady)).mean())

    assert off(flowed) < 0.5 * off(plain)


def test_motion_from_the_reading_thread_equals_motion_computed_in_the_loop() -> None:
    images = [_moving(_texture(0), t) for t in range(3)]
    loop = _sequence(images, Blend(value=0.5), DIS)
    read = _sequence(images, Blend(value=0.5), DIS, precomputed=True)
    for a, b in zip(loop, read, strict=True):
        np.testing.assert_array_equal(a, b)


def test_with_blend_1_flow_changes_nothing() -> None:
    images = [_moving(_texture(0), t) for t in range(3)]
    for a, b in zip(
        _sequence(images, Blend(value=1.0), Flow()), _sequence(images, Blend(value=1.0), DIS), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_a_resumed_run_with_flow_gives_the_frames_of_an_uninterrupted_one(tmp_path: Path) -> None:
    images = [_moving(_texture(0), t) for t in range(5)]
    write_frames(tmp_path / "in", images)
    common = {"blend": Blend(value=0.5), "image_type": "png", "flow": DIS}
    dream_frames(tmp_path / "in", tmp_path / "whole", _sharpen, ["x"], options=FrameOptions(**common))
    dream_frames(tmp_path / "in", tmp_path / "resumed", _sharpen, ["x"], options=FrameOptions(frames=FrameRange(1, 2), **common))
    result = dream_frames(tmp_path / "in", tmp_path / "resumed", _sharpen, ["x"], options=FrameOptions(**common))
    assert (result.reused, result.dreamed) == (2, 3)
    plain = tmp_path / "plain"
    dream_frames(tmp_path / "in", plain, _sharpen, ["x"], options=FrameOptions(blend=Blend(value=0.5), image_type="png"))
    for n in range(1, 6):
        name = f"dream_frame_{n:08d}.png"
        np.testing.assert_array_equal(
            read_png(tmp_path / "resumed" / name), read_png(tmp_path / "whole" / name)
        )
    # ... and flow was at work: frame 5 is not the plain blend's.
    last = "dream_frame_00000005.png"
    assert not np.array_equal(read_png(tmp_path / "whole" / last), read_png(plain / last))


def test_mode_0_dreams_a_moving_clip_with_flow_from_a_start_frame(tmp_path: Path, make_clip) -> None:  # type: ignore[no-untyped-def]
    clip = make_clip(frames=6)
    result = dream_video(clip, tmp_path / "frames", tmp_path / "out.mp4", _sharpen, ["x"], options=FrameOptions(frames=FrameRange(2, 5), image_type="png", flow=Flow("farneback")))  # fmt: skip
    assert result.frames == 4 and (tmp_path / "out.mp4").is_file()
    assert dreamed_numbers(tmp_path / "frames") == [2, 3, 4, 5]


def test_flow_input_at_zero_motion_is_the_blend_rule() -> None:
    source = _moving(_texture(0), 0)
    dream = _sharpen(source[None], ["x"], [1])[0]
    motion = frame_motion(source, source, DIS)
    expected = 0.3 * source.astype(np.float32) + 0.7 * dream.astype(np.float32)
    for carry in ("detail", "dream"):
        got = flow_input(dream, source, source, motion, 0.3, carry=carry)  # type: ignore[arg-type]
        assert np.abs(got.astype(np.float32) - expected).max() <= 0.51


@pytest.mark.parametrize(("method", "quality"), [("optical", "fast"), ("dis", "slow")])
def test_unknown_flow_words_are_refused(method: str, quality: str) -> None:
    with pytest.raises(VideoError, match="give one of them"):
        parse_flow(method, quality)


def test_the_dreamer_never_computes_flow_in_modes_0_and_2_also_when_resuming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deepdream_torch.video import dream_loop

    def on_the_dreamers_thread(*args: object) -> None:
        raise AssertionError("the dream loop computed a flow: the reading thread should have")

    images = [_moving(_texture(0), t) for t in range(4)]
    write_frames(tmp_path / "in", images)
    monkeypatch.setattr(dream_loop, "frame_motion", on_the_dreamers_thread)
    common = {"blend": Blend(value=0.5), "image_type": "png", "flow": DIS}
    dream_frames(tmp_path / "in", tmp_path / "out", _sharpen, ["x"], options=FrameOptions(frames=FrameRange(1, 2), **common))
    assert dream_frames(tmp_path / "in", tmp_path / "out", _sharpen, ["x"], options=FrameOptions(**common)).dreamed == 2
