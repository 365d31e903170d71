"""Motion-compensated blending: the previous dream warped along the optical flow of the source frames.

``blend.py``'s rule mixes the previous dream into the next frame where it was, so dreamed patterns stay put
while the picture moves under them (smear, ghosts, flicker). Here, as in video style transfer (Ruder et al.,
2016), the *backward* flow w (frame t → t−1, OpenCV's DIS or Farneback on the grey source frames) says where
each pixel of frame t was in frame t−1; the previous dream is sampled there (x + w(x), bilinear, border
replicated) and trusted only where the forward flow ŵ (t−1 → t) sends it back: a pixel is unreliable when
|w + ŵ|² ≥ 0.01(|w|² + |ŵ|²) + 0.5, at motion boundaries, or when it comes from outside the frame; the mask
is then smoothed. The next input is ``b · source_t + (1 − b) · (mask · warped + (1 − mask) · source_t)``.

What is warped is the previous dream itself, not its detail (dream − its source frame) added to the current
source frame: re-basing on each new source frame gave up the blend's temporal smoothing of the source and thinned
fine dreamed detail (``benchmarks/bench_flow.py``, figures in ``benchmarks/README.md``).

Seeding the input is not enough on footage with little motion: each frame's dream is then re-grown by the ascent
(its own jitter, its own chaos), and that flicker dominates. ``Flow.temporal`` therefore also hands the dream
kernel a ``Pull`` (``temporal_pull``) towards the warped previous dream, masked by the same trust, inside every
step, as Ruder et al.'s short-term temporal loss; ``Flow.refine`` lets a carried frame, which starts from a
dream already, be dreamed at its finest octaves only.

At zero motion the input equals the plain blend's. Everything here is a pure function of frames; the motion of a
frame (``frame_motion``) needs only source frames, so the video pipeline computes it on the frame-reading thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Literal

import cv2
import numpy as np

from deepdream_torch.dreaming.pull import Pull
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.frame import Frame

FLOW_METHODS = ("off", "dis", "farneback")
FLOW_QUALITIES = ("fast", "medium")
_DIS_PRESETS = {"fast": cv2.DISOPTICAL_FLOW_PRESET_FAST, "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM}
# Ruder et al.'s forward–backward check; their motion boundary |∇u|² + |∇v|² ≥ 0.01|w|² + 0.002 with a floor of
# 0.05 instead: on DIS and Farneback flows of real clips (sub-pixel motion, noisy in flat areas) 0.002 marked
# 10-30 % of the pixels as boundaries (measured on nature_1sm480 and lions_small_b75), dropping the carried dream
# there, which made the video flicker more than the plain blend. 0.05 still catches a discontinuity of ~0.2 px/px.
_CONSISTENCY_SHARE, _CONSISTENCY_FLOOR = 0.01, 0.5
_BOUNDARY_SHARE, _BOUNDARY_FLOOR = 0.01, 0.05
# The mask is smoothed so that the seam between warped dream and fresh source is soft, not a hard edge.
_MASK_BLUR_SIGMA = 1.5
# A carried frame is refined (dreamed at its finest octaves only) when at least this share of it is trusted: after a
# scene cut, or a motion the flow cannot follow, little is carried and the frame is dreamed anew at every octave.
_REFINE_TRUSTED_SHARE = 0.5
# OpenCV's DIS refuses frames under about 12 pixels a side (its patches and pyramid); smaller frames have no flow.
_SMALLEST_DIS_SIDE = 16


@dataclass(frozen=True)
class Flow:
    """How the previous dream follows motion: ``method`` off, ``dis`` or ``farneback``; ``quality`` for DIS;
    ``temporal``: the weight (0 to 1) with which every ascent step of a carried frame is also pulled towards
    the warped previous dream where the motion is trusted (0: the warped dream only seeds the frame's input);
    ``refine``: a carried frame is dreamed at its ``refine`` finest octaves only (0: all), as it starts from a
    dream already."""

    method: Literal["off", "dis", "farneback"] = "off"
    quality: Literal["fast", "medium"] = "fast"
    temporal: float = 0.0
    refine: int = 0

    @property
    def pulls(self) -> bool:
        """Whether carried frames are handed to the dreamer with a ``Pull`` (a temporal weight, or refining)."""
        return not self.off and (self.temporal > 0 or self.refine > 0)

    @property
    def off(self) -> bool:
        return self.method == "off"


NO_FLOW = Flow()


def parse_flow(method: str, quality: str = "fast", temporal: float = 0.0, refine: int = 0) -> Flow:
    """The ``Flow`` that ``--flow``, ``--flow-quality``, ``--temporal`` and ``--refine-octaves`` name; raises
    VideoError for other words, a temporal weight outside 0 to 1 and a negative octave count."""
    method, quality = str(method).strip().lower(), str(quality).strip().lower()
    if method not in FLOW_METHODS:
        raise VideoError(f"flow {method!r} is not one of {', '.join(FLOW_METHODS)}: give one of them")
    if quality not in FLOW_QUALITIES:
        raise VideoError(
            f"flow quality {quality!r} is not one of {', '.join(FLOW_QUALITIES)}: give one of them"
        )
    if not isinstance(temporal, int | float) or not 0 <= temporal <= 1:  # NaN fails the range too
        raise VideoError(f"temporal weight {temporal!r} is not from 0 to 1: give e.g. 0.2, or 0 for none")
    if not isinstance(refine, int) or refine < 0:
        raise VideoError(f"refine octaves {refine!r} is not a whole number from 0: give e.g. 1, or 0 for all")
    if (temporal or refine) and method == "off":
        raise VideoError("a temporal weight or refining acts on the dream carried along the motion: give a flow method")
    return Flow(method, quality, float(temporal), refine)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Motion:
    """How frame t came from frame t−1: where to sample t−1 for each pixel of t, and how far to trust it.

    ``sample_at`` (H, W, 2) float32 holds x + w(x) and y + w(y); ``mask`` (H, W) float32 is 1 where the warped
    previous frame can be trusted, 0 where it cannot (disoccluded, inconsistent, a motion boundary).
    """

    sample_at: np.ndarray
    mask: np.ndarray


def limit_threads(count: int) -> None:
    """Let OpenCV's flow and warps use at most ``count`` threads (a worker keeping to its share of the cores)."""
    cv2.setNumThreads(max(1, int(count)))


def optical_flow(image: np.ndarray, other: np.ndarray, flow: Flow) -> np.ndarray:
    """(H, W, 2) float32 flow f with ``image(x) ≈ other(x + f(x))``, from grey versions of the two RGB frames."""
    grey, other_grey = _grey(image), _grey(other)
    if flow.method == "dis":
        # A new instance per call: DIS keeps state between calls, and one instance is not safe across threads.
        dis = cv2.DISOpticalFlow_create(_DIS_PRESETS[flow.quality])
        return dis.calc(grey, other_grey, None)
    if flow.method == "farneback":
        return cv2.calcOpticalFlowFarneback(grey, other_grey, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    raise VideoError(f"flow {flow.method!r} computes no motion: give 'dis' or 'farneback'")


def follows(flow: Flow, image: np.ndarray) -> bool:
    """Whether ``flow`` can compute the motion of frames of ``image``'s size."""
    return not flow.off and (flow.method != "dis" or min(image.shape[:2]) >= _SMALLEST_DIS_SIDE)


def frame_motion(previous_source: np.ndarray, source: np.ndarray, flow: Flow) -> Motion:
    """The motion of ``source`` (frame t) from ``previous_source`` (t−1): backward flow, checked by forward flow."""
    backward = optical_flow(source, previous_source, flow)
    forward = optical_flow(previous_source, source, flow)
    return motion_from_flows(backward, forward)


def motion_from_flows(backward: np.ndarray, forward: np.ndarray) -> Motion:
    """The ``Motion`` of backward flow w (t → t−1) checked against forward flow ŵ (t−1 → t)."""
    height, width = backward.shape[:2]
    # float32 and OpenCV throughout: this runs once per frame on the reading thread (5x faster than numpy at 540p).
    sample_at = backward + np.stack(
        np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)), -1
    )
    forward_back = warp(forward, sample_at)  # ŵ at the place each pixel came from
    backward_size, forward_size = _squared(backward), _squared(forward_back)
    inconsistent = (
        _squared(backward + forward_back)
        >= _CONSISTENCY_SHARE * (backward_size + forward_size) + _CONSISTENCY_FLOOR
    )
    gradient = sum(
        _squared(
            cv2.Sobel(backward, cv2.CV_32F, dx, 1 - dx, ksize=1, scale=0.5, borderType=cv2.BORDER_REPLICATE)
        )
        for dx in (0, 1)
    )  # central differences of u and v, across and down
    boundary = gradient >= _BOUNDARY_SHARE * backward_size + _BOUNDARY_FLOOR
    x, y = sample_at[..., 0], sample_at[..., 1]
    # Came from more than half a pixel beyond frame t−1: nothing there to carry (a strip entering the picture).
    outside = (x < -0.5) | (x > width - 0.5) | (y < -0.5) | (y > height - 0.5)
    reliable = (~(inconsistent | boundary | outside)).astype(np.float32)
    mask = cv2.GaussianBlur(reliable, (0, 0), _MASK_BLUR_SIGMA, borderType=cv2.BORDER_REPLICATE)
    # Blurring spreads trust into unreliable pixels; keep them at most half trusted, and fully trusted areas at 1.
    np.minimum(mask, reliable * np.float32(0.5) + np.float32(0.5), out=mask)
    return Motion(sample_at, mask)


def warp(image: np.ndarray, sample_at: np.ndarray, sharp: bool = False) -> np.ndarray:
    """``image`` sampled at ``sample_at`` (H, W, 2 absolute x, y): bilinear (``sharp``: bicubic), the border
    replicated."""
    interpolation = cv2.INTER_CUBIC if sharp else cv2.INTER_LINEAR
    return cv2.remap(image, sample_at, None, interpolation, borderMode=cv2.BORDER_REPLICATE)


def _squared(vectors: np.ndarray) -> np.ndarray:
    """|v|² of each (H, W, 2) vector."""
    return vectors[..., 0] * vectors[..., 0] + vectors[..., 1] * vectors[..., 1]


def flow_input(
    previous_dream: np.ndarray,
    previous_source: np.ndarray,
    source: np.ndarray,
    motion: Motion,
    b: float,
    carry: Literal["dream", "detail"] = "dream",
    warped: np.ndarray | None = None,
) -> np.ndarray:
    """The next dream's input: ``b · source + (1 − b) · (mask · warped + (1 − mask) · source)``, uint8.

    ``carry="dream"`` warps the previous dream itself (the default, see the module docstring); ``"detail"`` warps
    dream − source of frame t−1 onto frame t instead (kept to measure the difference). ``warped``: the previous
    dream already warped (``warped_dream``), to warp it once per frame.
    """
    now = source.astype(np.float32)
    if carry == "detail":
        detail = previous_dream.astype(np.float32) - previous_source.astype(np.float32)
        warped = now + warp(detail, motion.sample_at)
    elif warped is None:
        warped = warp(previous_dream.astype(np.float32), motion.sample_at)
    mask = motion.mask[..., None]
    carried = mask * warped + (np.float32(1.0) - mask) * now
    mixed = carried * np.float32(1.0 - b) + now * np.float32(b)
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)


def warped_dream(previous_dream: np.ndarray, motion: Motion, sharp: bool = False) -> np.ndarray:
    """The previous dream moved to frame t along ``motion`` (float32, bilinear; ``sharp``: bicubic). A dream held
    by the pull is resampled every frame and keeps what the resampling did: bilinear sampling blurs it frame
    after frame, bicubic much less (measured: benchmarks/README.md)."""
    return warp(previous_dream.astype(np.float32), motion.sample_at, sharp)


def temporal_pull(warped: np.ndarray, motion: Motion, flow: Flow, start: np.ndarray | None = None) -> Pull:
    """The dream kernel's pull for frame t: towards the warped previous dream, by ``flow.temporal`` where the
    motion's mask trusts it, nowhere where it does not (disoccluded, inconsistent, a motion boundary); at the
    ``flow.refine`` finest octaves only when that is set and most of the frame is trusted.

    With ``start`` (the frame's input, ``flow_input``), the target keeps the warped dream's patterns but takes the
    start's mean colour over the trusted pixels: pulled towards the previous dream's brightness itself, every frame
    would keep all of what the dream shifts it by instead of the blend's (1 − b) share, and the video's brightness
    would drift (measured: benchmarks/README.md)."""
    target = warped
    if start is not None:
        weight = motion.mask[..., None]
        total = max(float(weight.sum()), 1.0)
        shift = ((start.astype(np.float32) - warped) * weight).sum(axis=(0, 1)) / np.float32(total)
        target = warped + shift.astype(np.float32)
    target = np.clip(np.rint(target), 0, 255).astype(np.uint8)
    refine = flow.refine > 0 and float(motion.mask.mean()) >= _REFINE_TRUSTED_SHARE
    return Pull(target, motion.mask, flow.temporal, flow.refine if refine else None)


def with_motion(frames: Iterable[Frame], flow: Flow, first: int = 1) -> Iterator[Frame]:
    """``frames`` with their ``motion`` from the frame before, for frames numbered ``first`` on (the ones still
    to dream). Meant for the frame-reading thread, so that the dreamer never waits for the flow."""
    previous: np.ndarray | None = None
    for frame in frames:
        if previous is not None and frame.number >= first and not flow.off:
            frame = replace(frame, motion=frame_motion(previous, frame.image, flow))
        previous = frame.image
        yield frame


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
