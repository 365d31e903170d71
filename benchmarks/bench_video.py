"""Frames per second of mode 0 (decode, blend, dream, save, encode, audio) against the dreamer alone.

The goal is a pipeline at 0.95 or more of the dreamer alone: decoding, saving and encoding run on their own
threads beside the dream, so they should cost little besides CPU they take from it. The dreamer is the real
``dream_batch`` on a small random-weights conv net (3 convolutions, 32 channels; random weights: only cost
matters here), falling back to a fixed torch workload if the dream package is missing. The clip is the original
tool's 320x180 sample from ../shared, or a generated one where that is absent.

    python benchmarks/bench_video.py [--frames 16] [--iterations 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from deepdream_torch.video import FrameRange, dream_video, parse_blend
from deepdream_torch.video.options import FrameOptions

REPO = Path(__file__).resolve().parents[1]
PROTOTXT = """name: "bench"
input: "data"
input_dim: 1
input_dim: 3
input_dim: 64
input_dim: 64
""" + "".join(
    f'layer {{ name: "conv{i}" type: "Convolution" bottom: "{bottom}" top: "conv{i}" '
    f"convolution_param {{ num_output: 32 kernel_size: 3 pad: 1 }} }}\n"
    f'layer {{ name: "relu{i}" type: "ReLU" bottom: "conv{i}" top: "conv{i}" }}\n'
    for i, bottom in ((1, "data"), (2, "conv1"), (3, "conv2"))
)


def source_clip(folder: Path, frames: int) -> tuple[Path, str]:
    """The original tool's sample (real footage, Vorbis audio that goes to AAC) when ../shared is there, else a
    generated clip with AAC audio (the tests' generator)."""
    sample = REPO.parent / "shared/media/lions_small_b75.mkv"
    if sample.is_file():
        return sample, "lions_small_b75.mkv (320x180, H.264 + Vorbis; audio re-encoded to AAC)"
    sys.path.insert(0, str(REPO))
    from tests.video.video_clips import write_clip

    clip = write_clip(folder / "clip.mp4", frames=frames, width=320, height=180, audio="aac")
    return clip, "generated 320x180 clip (H.264 + AAC; audio copied)"


def make_dreamer(
    folder: Path, iterations: int
) -> tuple[Callable[[np.ndarray, Sequence[str]], np.ndarray], str]:
    try:
        from deepdream_torch import dream_batch, load_caffe
        from deepdream_torch.net.random_weights import write_random_caffemodel
    except ImportError:
        return _fixed_workload, "fixed torch workload (3x3 convolutions, 32 channels; dream package missing)"
    prototxt = folder / "bench.prototxt"
    prototxt.write_text(PROTOTXT)
    net = load_caffe(prototxt, write_random_caffemodel(prototxt, folder / "bench.caffemodel", seed=0))
    from deepdream_torch.dreaming.settings import DreamSettings, Runtime

    settings = {"settings": DreamSettings(3, iterations=iterations, jitter=8), "runtime": Runtime("cpu"), "seed": 0}

    def dreamer(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
        return dream_batch(frames, net, layers, **settings)

    return dreamer, f"dream_batch, 3-conv 32-channel random net, 3 octaves x {iterations} iterations, CPU"


def _fixed_workload(frames: np.ndarray, layers: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
    x = torch.from_numpy(frames).permute(0, 3, 1, 2).float()
    weight = torch.ones(3, 3, 3, 3) / 27
    for _ in range(40):
        x = torch.nn.functional.conv2d(x, weight, padding=1)
    return frames.copy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="alternating measurements of each side")
    args = parser.parse_args()
    layers = ["conv2", "conv3"]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, clip = source_clip(folder, args.frames)
        frames_wanted = FrameRange(1, args.frames)
        dreamer, what = make_dreamer(folder, args.iterations)
        seen: list[tuple[np.ndarray, list[str], list[int]]] = []

        def recording(frames: np.ndarray, names: Sequence[str], numbers: Sequence[int]) -> np.ndarray:
            seen.append((frames.copy(), list(names), list(numbers)))
            return dreamer(frames, names, numbers)

        # A first run records the inputs the pipeline hands the dreamer (blended frames), so that the dreamer
        # alone is timed on exactly those; it also pays the first-call costs of each layer for both sides.
        dream_video(source, folder / "frames", folder / "out.mp4", recording, layers, options=FrameOptions(frames=frames_wanted))

        def alone() -> int:
            for frames, names, numbers in seen:
                dreamer(frames, names, numbers)
            return len(seen)

        def pipeline() -> int:
            result = dream_video(source, folder / "frames", folder / "out.mp4", dreamer, layers, options=FrameOptions(blend=parse_blend("0.5"), frames=frames_wanted, restart=True))
            return result.frames

        def io_only() -> int:
            result = dream_video(source, folder / "io", folder / "io.mp4", lambda frames, names, numbers: frames.copy(), layers, options=FrameOptions(frames=frames_wanted, restart=True))
            return result.frames

        # Alternated, so that a busy spell on a shared machine hits all sides alike. "io" is the pipeline with
        # a dreamer that costs nothing: what decoding, blending, saving and encoding cost per frame at most.
        rates: dict[str, list[float]] = {"alone": [], "pipeline": [], "io": []}
        for _ in range(args.rounds):
            for side, run in (("alone", alone), ("pipeline", pipeline), ("io", io_only)):
                began = time.perf_counter()
                count = run()
                rates[side].append(count / (time.perf_counter() - began))

    best = {side: max(values) for side, values in rates.items()}
    middle = {side: statistics.median(values) for side, values in rates.items()}
    print(f"dreamer: {what}")
    print(f"clip: the first {len(seen)} frames of {clip}; out: jpg frames, H.264 + AAC")
    print(
        f"torch threads: {torch.get_num_threads()}, CPU cores: {os.cpu_count()}, load average before: {load:.1f}"
    )
    labels = {"alone": "dreamer alone ", "pipeline": "whole pipeline", "io": "no-cost dreamer"}
    for side, label in labels.items():
        runs = ", ".join(f"{rate:.2f}" for rate in rates[side])
        print(f"{label}: best {best[side]:7.2f}  median {middle[side]:7.2f} frames/s  (runs: {runs})")
    pairs = [p / a for a, p in zip(rates["alone"], rates["pipeline"], strict=True)]
    print(
        f"ratio pipeline / alone: of the bests {best['pipeline'] / best['alone']:.3f}, "
        f"of the medians {middle['pipeline'] / middle['alone']:.3f}, "
        f"per round {', '.join(f'{r:.3f}' for r in pairs)}  (goal >= 0.95)"
    )
    serial = 1 / (1 + middle["alone"] / middle["io"])
    print(f"if nothing overlapped (medians): {serial:.3f} of the dreamer alone")


if __name__ == "__main__":
    main()
