"""What a carried frame is made of: its input (the previous dream warped along the motion, mixed with the source
frame) and the temporal pull handed to the dream kernel.

``blend.py``'s rule mixes the previous dream into the next frame where it was, so dreamed patterns stay put while
the picture moves under them (smear, ghosts, flicker). Here the previous dream is sampled where each pixel of frame
t was in frame t−1 (``Motion``, ``motion.py``) and trusted by the motion's mask: the next input is
``b · source_t + (1 − b) · (mask · warped + (1 − mask) · source_t)``. At zero motion it equals the plain blend's.

What is warped is the previous dream itself, not its detail (dream − its source frame) added to the current
source frame: re-basing on each new source frame gave up the blend's temporal smoothing of the source and thinned
fine dreamed detail (``benchmarks/bench_flow.py``, figures in ``benchmarks/README.md``).

Seeding the input is not enough on footage with little motion: each frame's dream is then re-grown by the ascent
(its own jitter, its own chaos), and that flicker dominates. ``Flow.temporal`` therefore also hands the dream
kernel a ``Pull`` (``temporal_pull``) towards the warped previous dream, masked by the same trust, inside every
step, as Ruder et al.'s short-term temporal loss; ``Flow.refine`` lets a carried frame, which starts from a
dream already, be dreamed at its finest octaves only.
"""

from __future__ import annotations

import numpy as np

from deepdream_torch.dreaming.pull import Pull
from deepdream_torch.video.flow import Flow
from deepdream_torch.video.frame import Motion
from deepdream_torch.video.motion import warp

# A carried frame is refined (dreamed at its finest octaves only) when at least this share of it is trusted: after a
# scene cut, or a motion the flow cannot follow, little is carried and the frame is dreamed anew at every octave.
_REFINE_TRUSTED_SHARE = 0.5


def warped_dream(previous_dream: np.ndarray, motion: Motion, sharp: bool = False) -> np.ndarray:
    """The previous dream moved to frame t along ``motion`` (float32, bilinear; ``sharp``: bicubic). A dream held
    by the pull is resampled every frame and keeps what the resampling did: bilinear sampling blurs it frame
    after frame, bicubic much less (measured: benchmarks/README.md)."""
    return warp(previous_dream.astype(np.float32), motion.sample_at, sharp)


def carried_input(warped: np.ndarray, source: np.ndarray, motion: Motion, b: float) -> np.ndarray:
    """The next dream's input, uint8: ``b · source + (1 − b) · (mask · warped + (1 − mask) · source)``, with
    ``warped`` the previous dream moved to this frame (``warped_dream``, float32)."""
    now = source.astype(np.float32)
    mask = motion.mask[..., None]
    carried = mask * warped + (np.float32(1.0) - mask) * now
    mixed = carried * np.float32(1.0 - b) + now * np.float32(b)
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)


def temporal_pull(warped: np.ndarray, motion: Motion, flow: Flow, start: np.ndarray | None = None) -> Pull:
    """The dream kernel's pull for frame t: towards the warped previous dream, by ``flow.temporal`` where the
    motion's mask trusts it, nowhere where it does not (disoccluded, inconsistent, a motion boundary); at the
    ``flow.refine`` finest octaves only when that is set and most of the frame is trusted.

    With ``start`` (the frame's input, ``carried_input``), the target keeps the warped dream's patterns but takes
    the start's mean colour over the trusted pixels: pulled towards the previous dream's brightness itself, every
    frame would keep all of what the dream shifts it by instead of the blend's (1 − b) share, and the video's
    brightness would drift (measured: benchmarks/README.md)."""
    target = warped
    if start is not None:
        weight = motion.mask[..., None]
        total = max(float(weight.sum()), 1.0)
        shift = ((start.astype(np.float32) - warped) * weight).sum(axis=(0, 1)) / np.float32(total)
        target = warped + shift.astype(np.float32)
    target = np.clip(np.rint(target), 0, 255).astype(np.uint8)
    refine = flow.refine > 0 and float(motion.mask.mean()) >= _REFINE_TRUSTED_SHARE
    return Pull(target, motion.mask, flow.temporal, flow.refine if refine else None)
