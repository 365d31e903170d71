"""Small generated clips, an independent reader (OpenCV) and simple deterministic dreamers for video tests."""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

AUDIO_RATE = 48_000


def clip_frame(index: int, width: int, height: int) -> np.ndarray:
    """Frame ``index`` of a generated clip: a gradient, a bright square that moves 3 px per frame, and a flat
    level that changes per frame, so that a frame shifted by one is easy to tell apart after lossy coding."""
    y, x = np.mgrid[0:height, 0:width]
    image = np.stack([(x * 3) % 200, (y * 4) % 200, np.full_like(x, (40 + 13 * index) % 200)], axis=-1)
    left = (3 * index) % max(1, width - 8)
    image[2:10, left : left + 8] = 250
    return image.astype(np.uint8)


def write_clip(
    path: Path,
    *,
    frames: int = 12,
    width: int = 64,
    height: int = 48,
    rate: int = 25,
    audio: str | None = None,
    pts_ms: Sequence[int] | None = None,
) -> Path:
    """Encode a generated clip with PyAV: H.264 (near lossless), ``audio`` a codec name for a 440 Hz tone as
    long as the video, ``pts_ms`` the frame times for a variable-frame-rate clip (Matroska or MP4)."""
    times = list(pts_ms) if pts_ms is not None else [round(1000 * i / rate) for i in range(frames)]
    end_ms = times[-1] + (times[-1] - times[-2] if len(times) > 1 else round(1000 / rate))
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=rate)
        # yuv420p needs even sizes; 4:4:4 lets a clip be odd-sized, as some real sources are.
        odd = width % 2 or height % 2
        video.width, video.height, video.pix_fmt = width, height, "yuv444p" if odd else "yuv420p"
        video.codec_context.time_base = Fraction(1, 1000)
        video.options = {"crf": "8", "preset": "ultrafast"}
        sound = None
        if audio is not None:
            sound = container.add_stream(audio, rate=AUDIO_RATE, layout="stereo")
        for index, ms in enumerate(times):
            frame = av.VideoFrame.from_ndarray(clip_frame(index, width, height), format="rgb24")
            frame.pts, frame.time_base = ms, Fraction(1, 1000)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
        if sound is not None:
            samples = round(end_ms * AUDIO_RATE / 1000)
            tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(samples) / AUDIO_RATE)).astype(np.float32)
            fmt = sound.codec_context.codec.audio_formats[0].name
            step = 1024
            for start in range(0, samples, step):
                chunk = np.stack([tone[start : start + step]] * 2)
                if fmt.endswith("p"):
                    data = chunk if fmt == "fltp" else (chunk * 32767).astype(np.int16)
                else:
                    data = (chunk.T.reshape(1, -1) * 32767).astype(np.int16)
                frame = av.AudioFrame.from_ndarray(data, format=fmt, layout="stereo")
                frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, start, Fraction(1, AUDIO_RATE)
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode(None):
                container.mux(packet)
    return path


def cv2_frames(path: Path) -> list[np.ndarray]:
    """Every frame of ``path`` as RGB, decoded by OpenCV (an independent reader)."""
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame[:, :, ::-1].copy())
    capture.release()
    return frames


def cv2_times_ms(path: Path) -> list[float]:
    """The presentation time of every frame of ``path`` in ms, as OpenCV reports it."""
    capture = cv2.VideoCapture(str(path))
    times = []
    while capture.grab():
        times.append(capture.get(cv2.CAP_PROP_POS_MSEC))
    capture.release()
    return times


def audio_seconds(path: Path) -> float | None:
    """Seconds of audio in ``path`` (decoded samples / rate), None when it has no audio stream."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        return sum(frame.samples for frame in container.decode(stream)) / stream.sample_rate


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else 10 * np.log10(255**2 / error)


def write_frames(folder: Path, images: Sequence[np.ndarray], first: int = 1, image_type: str = "png") -> None:
    """Save ``images`` as ``folder/00000001.png``, ... (numbered from ``first``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for offset, image in enumerate(images):
        Image.fromarray(image).save(folder / f"{first + offset:08d}.{image_type}")


def read_png(path: Path) -> np.ndarray:
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGB"))


class Recorder:
    """A dreamer that inverts the picture (255 - x) and records every call: the inputs, their layers and numbers."""

    def __init__(self) -> None:
        self.inputs: list[np.ndarray] = []
        self.layers: list[str] = []
        self.numbers: list[int] = []
        self.calls: list[int] = []

    def __call__(self, frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
        self.calls.append(len(frames))
        self.inputs.extend(frame.copy() for frame in frames)
        self.layers.extend(layers)
        self.numbers.extend(numbers)
        return 255 - frames


def identity(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
    return frames.copy()


def numbered_layers(count: int) -> list[str]:
    """Layer names that say which frame they are for: frame n dreams ``f<n>`` (``layers[(n - 1) % len]``)."""
    return [f"f{n}" for n in range(1, count + 1)]


class InterruptAt(Recorder):
    """A ``Recorder`` that sends this process ``signum`` once it has dreamed ``count`` frames (as Ctrl-C would)."""

    def __init__(self, count: int, signum: int = signal.SIGINT) -> None:
        super().__init__()
        self.count = count
        self.signum = signum

    def __call__(self, frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
        dreamed = super().__call__(frames, layers, numbers)
        if len(self.inputs) == self.count:
            os.kill(os.getpid(), self.signum)
        return dreamed


def dreamed_numbers(folder: Path, image_type: str = "png") -> list[int]:
    """The frame numbers of the ``dream_frame_*`` files in ``folder``."""
    return sorted(
        int(p.stem.removeprefix("dream_frame_")) for p in folder.glob(f"dream_frame_*.{image_type}")
    )
