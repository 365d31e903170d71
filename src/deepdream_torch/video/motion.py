"""The motion of a frame: OpenCV's optical flow between source frames, checked forward against backward.

The *backward* flow w (frame t → t−1, OpenCV's DIS or Farneback on the grey source frames) says where each pixel
of frame t was in frame t−1, as in video style transfer (Ruder et al., 2016). It is trusted only where the forward
flow ŵ (t−1 → t) sends the pixel back: a pixel is unreliable when |w + ŵ|² ≥ 0.01(|w|² + |ŵ|²) + 0.5, at motion
boundaries, or when it comes from outside the frame; the trust mask is then smoothed. The result is a ``Motion``
(``video/frame.py``); what is carried along it is ``carry.py``'s.

Everything here is pure image math on source frames, so the video pipeline computes a frame's motion on the
frame-reading thread (``with_motion``) and the dreamer never waits for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

import cv2
import numpy as np

from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.flow import Flow
from deepdream_torch.video.frame import Frame, Motion

_DIS_PRESETS = {"fast": cv2.DISOPTICAL_FLOW_PRESET_FAST, "medium": cv2.DISOPTICAL_FLOW_PRESET_MEDIUM}
# Ruder et al.'s forward–backward check; their motion boundary |∇u|² + |∇v|² ≥ 0.01|w|² + 0.002 with a floor of
# 0.05 instead: on DIS and Farneback flows of real clips (sub-pixel motion, noisy in flat areas) 0.002 marked a
# large share of the pixels as boundaries (benchmarks/README.md, "Motion"), dropping the carried dream there, which
# made the video flicker more than the plain blend. 0.05 still catches a discontinuity of ~0.2 px/px.
_CONSISTENCY_SHARE, _CONSISTENCY_FLOOR = 0.01, 0.5
_BOUNDARY_SHARE, _BOUNDARY_FLOOR = 0.01, 0.05
# The mask is smoothed so that the seam between warped dream and fresh source is soft, not a hard edge.
_MASK_BLUR_SIGMA = 1.5
# OpenCV's DIS refuses frames under about 12 pixels a side (its patches and pyramid); smaller frames have no flow.
_SMALLEST_DIS_SIDE = 16


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
    # float32 and OpenCV throughout: this runs once per frame on the reading thread (benchmarks/README.md, "Motion").
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


def with_motion(frames: Iterable[Frame], flow: Flow, first: int = 1) -> Iterator[Frame]:
    """``frames`` with their ``motion`` from the frame before, for frames numbered ``first`` on (the ones still
    to dream). Meant for the frame-reading thread, so that the dreamer never waits for the flow."""
    previous: np.ndarray | None = None
    for frame in frames:
        if previous is not None and frame.number >= first and not flow.off:
            frame = replace(frame, motion=frame_motion(previous, frame.image, flow))
        previous = frame.image
        yield frame


def _squared(vectors: np.ndarray) -> np.ndarray:
    """|v|² of each (H, W, 2) vector."""
    return vectors[..., 0] * vectors[..., 0] + vectors[..., 1] * vectors[..., 1]


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
