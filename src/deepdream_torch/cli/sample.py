"""The demo's sample clip, generated rather than shipped: a few seconds of drifting colour bands and circles.

Dreams need structure to grow on (edges, blobs, gradients); a flat colour would give the net nothing to amplify,
so the pattern has all three and moves a little so that the blend between frames shows.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from deepdream_torch.atomic import atomic_write


def sample_frames(width: int = 320, height: int = 180, frames: int = 48) -> np.ndarray:
    """(frames, height, width, 3) uint8 RGB: sinusoidal colour bands with two circles drifting across them."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    out = np.empty((frames, height, width, 3), np.uint8)
    for t in range(frames):
        phase = 2 * np.pi * t / frames
        bands = [np.sin(x / 23 + phase + k * 2.1) + np.cos(y / 17 - phase * 0.5 + k) for k in range(3)]
        picture = np.stack(bands, axis=-1) * 50 + 128
        for cx, cy, radius, shade in ((0.3, 0.5, 0.22, 230), (0.7, 0.4, 0.15, 30)):
            centre_x = width * (cx + 0.1 * np.sin(phase))
            centre_y = height * (cy + 0.1 * np.cos(phase))
            inside = (x - centre_x) ** 2 + (y - centre_y) ** 2 < (radius * height) ** 2
            picture[inside] = picture[inside] * 0.4 + shade * 0.6
        out[t] = np.clip(picture, 0, 255).astype(np.uint8)
    return out


def write_sample_clip(path: Path, width: int = 320, height: int = 180, seconds: float = 2.0, fps: int = 24) -> Path:
    """Write an H.264 ``.mp4`` of ``seconds`` of the sample pattern to ``path`` (folder created; atomic)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = sample_frames(width, height, max(1, round(seconds * fps)))
    with atomic_write(path) as temporary, av.open(str(temporary), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for picture in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
