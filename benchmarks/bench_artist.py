"""The artists' controls: what a zoom animation costs beyond its dreams, and how much faster a preview is.

1. Zoom: the runner's zoom animation (``ZoomRun``) of N frames at 960x540 against N plain ``dream()`` calls on the same picture with the same
   settings, in one process, interleaved. The goal: the animation costs no more than its dreams, within 5% (the
   move, the frame files and the H.264 encoding are small beside a dream).
2. Preview: ``--preview`` (a quarter of the size, half the iterations) against the full dream of the same picture
   through ``dream_single_picture``, as the CLI runs them. The goal: 1/10 of the time or less.

GoogLeNet's real prototxt with random weights (they cost what trained ones do), ``inception_4c/output``, on the CPU.
Wall and CPU time are both printed (CPU time is steadier on a shared machine).

    python benchmarks/bench_artist.py [--frames 4] [--iterations 2] [--octaves 4] [--threads 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch

from deepdream_torch import dream, load_caffe
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.net.random_weights import write_random_caffemodel
from deepdream_torch.picture.preview import preview_settings, shrink
from deepdream_torch.picture.single import PictureOptions, dream_single_picture
from deepdream_torch.picture.zoom import Camera
from deepdream_torch.runner import Dreaming, DreamRecipe, ZoomRun
from deepdream_torch.runner import run as run_job

CPU = Runtime(device="cpu")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LAYER = "inception_4c/output"
SIZE = (960, 540)


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def picture() -> np.ndarray:
    """hulk.jpg from ../shared at 960x540, or a generated pattern where it is absent."""
    path = SHARED / "media/hulk.jpg"
    if path.is_file():
        bgr = cv2.imread(str(path))
        return cv2.resize(bgr, SIZE, interpolation=cv2.INTER_AREA)[:, :, ::-1].copy()
    sys.path.insert(0, str(REPO))
    from deepdream_torch.cli.sample import sample_frames

    return sample_frames(SIZE[0], SIZE[1], 2)[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=4)
    parser.add_argument("--iterations", type=int, default=2)
    parser.add_argument("--octaves", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    prototxt = SHARED / "models/bvlc_googlenet/deploy.prototxt"
    if not prototxt.is_file():
        sys.exit(f"needs {prototxt} (the real GoogLeNet prototxt)")
    image = picture()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        net = load_caffe(prototxt, write_random_caffemodel(prototxt, folder / "googlenet.caffemodel", seed=0))
        settings = DreamSettings(octaves=args.octaves, iterations=args.iterations, jitter=32)
        common = {"octaves": settings.octaves, "iterations": settings.iterations, "jitter": 32, "device": "cpu"}
        dream(image[:64, :64], net, LAYER, octaves=1, iterations=1, device="cpu")  # warm-up

        def dreams() -> None:
            for number in range(1, args.frames + 1):
                dream(image, net, LAYER, seed=number, **common)

        def zoom(run: int) -> Callable[[], object]:
            job = ZoomRun(
                image, Dreaming(net, (LAYER,), DreamRecipe(settings, CPU)), folder / f"zoom{run}",
                folder / f"zoom{run}.mp4", args.frames, Camera(zoom=1.05, rotate=1.0, pan=(2.0, 0.0)),
            )  # fmt: skip
            return lambda: run_job(job)

        plain, animated = [], []
        for run in range(args.rounds):
            plain.append(timed(dreams))
            animated.append(timed(zoom(run)))
        wall_plain = statistics.median(t[0] for t in plain)
        wall_zoom = statistics.median(t[0] for t in animated)
        cpu_plain = statistics.median(t[1] for t in plain)
        cpu_zoom = statistics.median(t[1] for t in animated)
        print(
            f"zoom, {SIZE[0]}x{SIZE[1]}, GoogLeNet {LAYER}, {args.octaves} octaves x {args.iterations} iterations,"
            f" {args.frames} frames, {args.threads} threads, median of {args.rounds} interleaved rounds"
        )
        print("| | wall s | CPU s | frames/min (wall) |")
        print("|---|---|---|---|")
        print(f"| {args.frames} x dream() | {wall_plain:.1f} | {cpu_plain:.1f} | {60 * args.frames / wall_plain:.2f} |")
        print(f"| zoom (runner) | {wall_zoom:.1f} | {cpu_zoom:.1f} | {60 * args.frames / wall_zoom:.2f} |")
        print(f"| zoom / dreams | {wall_zoom / wall_plain:.3f} | {cpu_zoom / cpu_plain:.3f} | goal <= 1.05 |")

        full = DreamSettings()  # the CLI's defaults: 4 octaves x 10 iterations
        quick = preview_settings(full)

        def full_dream() -> None:
            dream_single_picture(image, net, [LAYER], PictureOptions(folder / "full", name="p"), settings=full, runtime=CPU)

        def preview() -> None:
            small = shrink(image, 0.25)
            dream_single_picture(
                small, net, [LAYER], PictureOptions(folder / "preview", name="p"), settings=quick, runtime=CPU
            )

        preview_time = timed(preview)
        full_time = timed(full_dream)
        print()
        print(f"preview vs full dream, {SIZE[0]}x{SIZE[1]}, GoogLeNet {LAYER}, {full.octaves} octaves")
        print("| | size | iterations | wall s | CPU s |")
        print("|---|---|---|---|---|")
        print(f"| full | {SIZE[0]}x{SIZE[1]} | {full.iterations} | {full_time[0]:.1f} | {full_time[1]:.1f} |")
        print(f"| --preview | 240x135 | {quick.iterations} | {preview_time[0]:.2f} | {preview_time[1]:.2f} |")
        print(
            f"| preview / full | | | {preview_time[0] / full_time[0]:.3f} | {preview_time[1] / full_time[1]:.3f} |"
            " (goal <= 0.1)"
        )


if __name__ == "__main__":
    main()
