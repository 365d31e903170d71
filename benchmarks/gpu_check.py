"""The GPU rows of ``gpu_check.sh``: the 1080p default dream, a 1080p video end to end, 4K under 2 GiB, CUDA vs CPU.

Run by ``benchmarks/gpu_check.sh`` (which checks for a GPU and sets up Python first); each row is printed as soon as
it is measured, as a markdown table row for benchmarks/README.md, and a row that cannot run says why in its place.

- dream 1080p: ``dream()``'s defaults (4 octaves x 10 iterations, ``inception_4c/output``) on GoogLeNet's prototxt
  with random weights (they cost what trained ones do), fp32 and auto: seconds per frame (after one warm-up dream:
  cuDNN's autotuning) and peak GPU memory above the loaded net (``torch.cuda.max_memory_allocated``).
- video 1080p: mode 0 (decode, blend, dream, save, encode) on a generated 1920x1080 clip, frames per second, beside
  the dreamer alone on the same blended frames: the pipeline's share of the dream's time (goal >= 0.95). Needs PyAV.
- 4K under 2 GiB: one octave's steps at 3840x2160 with ``max_memory="2GiB"`` (the plan: recompute and/or tiles),
  peak memory against the budget, seconds per step.
- CUDA vs CPU: the same dream (open_nsfw's real weights where found, else GoogLeNet random) on the GPU and on the
  CPU, fp32 both, PSNR between them beside the chaos floor (the CPU's dream of the picture + 1e-3 noise).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GIB = 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, required=True, help="folder holding bvlc_googlenet/ and open_nsfw/")
    parser.add_argument("--only", nargs="*", choices=["dream", "video", "4k", "cpu"], default=None)
    parser.add_argument("--video-frames", type=int, default=8)
    args = parser.parse_args()
    import torch

    from deepdream_torch.errors import DeepDreamError

    if not torch.cuda.is_available():
        sys.exit("gpu_check: torch sees no CUDA GPU here (torch " + torch.__version__ + ")")
    print(f"device: {torch.cuda.get_device_name(0)}, compute capability {'.'.join(map(str, torch.cuda.get_device_capability(0)))}, "
          f"torch {torch.__version__}", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as scratch:
        googlenet = _googlenet(args.models, Path(scratch))
        rows = {"dream": _dream_rows, "video": _video_rows, "4k": _four_k_rows, "cpu": _cpu_rows}
        for name, rows_of in rows.items():
            if args.only is None or name in args.only:
                try:
                    rows_of(googlenet, args, Path(scratch))
                except (DeepDreamError, RuntimeError, OSError, ValueError, ImportError) as error:
                    # A row that fails says so (torch's out-of-memory is a RuntimeError) and the others still run.
                    first = (str(error).splitlines() or [""])[0][:200]
                    print(f"| {name} | failed: {type(error).__name__}: {first} |", flush=True)


def _googlenet(models: Path, scratch: Path):
    from deepdream_torch import load_caffe
    from deepdream_torch.net.random_weights import write_random_caffemodel

    prototxt = models / "bvlc_googlenet" / "deploy.prototxt"
    if not prototxt.is_file():
        raise SystemExit(f"gpu_check: no {prototxt}: copy ../shared/models/bvlc_googlenet/deploy.prototxt there")
    return load_caffe(prototxt, write_random_caffemodel(prototxt, scratch / "googlenet.caffemodel", seed=0))


def _picture(width: int, height: int) -> np.ndarray:
    from deepdream_torch.cli.sample import sample_frames

    return sample_frames(width, height, 2)[1]


def _dream_rows(net, args: argparse.Namespace, scratch: Path) -> None:
    import torch

    from deepdream_torch import dream
    from deepdream_torch.dreaming.precision import choose

    picture = _picture(1920, 1080)
    print("\n| 1080p default dream | runs as | s/frame | peak GPU memory above the net |\n|---|---|---|---|")
    for precision in ("fp32", "auto"):
        dream(picture, net, device="cuda", precision=precision, seed=0)  # warm-up: cuDNN autotuning
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        dream(picture, net, device="cuda", precision=precision, seed=0)
        torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        peak = (torch.cuda.max_memory_allocated() - base) / GIB
        runs_as = choose(precision, torch.device("cuda")).name
        print(f"| {precision} | {runs_as} | {seconds:.2f} | {peak:.2f} GiB |", flush=True)


def _video_rows(net, args: argparse.Namespace, scratch: Path) -> None:
    try:
        import av  # noqa: F401
    except ImportError:
        print("\n| video 1080p | skipped: PyAV is not installed (carry its wheel: benchmarks/gpu_check.sh) |")
        return
    from deepdream_torch import dream_batch
    from deepdream_torch.cli.sample import write_sample_clip
    from deepdream_torch.dreaming.settings import DreamSettings, Runtime
    from deepdream_torch.video import FrameRange, dream_video, parse_blend

    frames = args.video_frames
    clip = write_sample_clip(scratch / "clip.mp4", 1920, 1080, seconds=frames / 8, fps=8)
    settings = {"settings": DreamSettings(), "runtime": Runtime("cuda"), "seed": 0}
    seen = []

    def dreamer(batch, names, numbers):
        return dream_batch(batch, net, names, **settings)

    def recording(batch, names, numbers):
        seen.append((batch.copy(), list(names), list(numbers)))
        return dreamer(batch, names, numbers)

    layers = ["inception_4c/output"]
    wanted = FrameRange(1, frames)
    dream_video(clip, scratch / "frames", scratch / "out.mp4", recording, layers, frames=wanted)  # warm-up
    start = time.perf_counter()
    for batch, names, numbers in seen:
        dreamer(batch, names, numbers)
    alone = len(seen) / (time.perf_counter() - start)
    start = time.perf_counter()
    result = dream_video(
        clip, scratch / "frames", scratch / "out.mp4", dreamer, layers, blend=parse_blend("0.5"), frames=wanted,
        restart=True,
    )  # fmt: skip
    pipeline = result.frames / (time.perf_counter() - start)
    print(f"\n| video 1080p ({frames} frames, default dream) | frames/s end to end | dreamer alone | share |")
    print(f"|---|---|---|---|\n| auto | {pipeline:.2f} | {alone:.2f} | {pipeline / alone:.2f} |", flush=True)


def _four_k_rows(net, args: argparse.Namespace, scratch: Path) -> None:
    import torch

    from deepdream_torch import dream

    picture = _picture(3840, 2160)
    messages = []
    options = {"octaves": 1, "iterations": 3, "device": "cuda", "seed": 0}
    print("\n| 4K, 1 octave x 3 steps | budget | plan | s/step | peak GPU memory above the net |\n|---|---|---|---|---|")
    for budget in (None, "2GiB"):
        dream(picture, net, iterations=1, octaves=1, device="cuda", seed=0, max_memory=budget)  # warm-up
        torch.cuda.synchronize()
        base = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        messages.clear()
        start = time.perf_counter()
        dream(picture, net, max_memory=budget, log=lambda level, text: messages.append(text), **options)
        torch.cuda.synchronize()
        seconds = (time.perf_counter() - start) / options["iterations"]
        peak = (torch.cuda.max_memory_allocated() - base) / GIB
        plan = next((text for text in messages if "tile" in text or "recompute" in text), "untiled")
        print(f"| | {budget or 'none'} | {plan[:80]} | {seconds:.2f} | {peak:.2f} GiB |", flush=True)


def _cpu_rows(net, args: argparse.Namespace, scratch: Path) -> None:
    from deepdream_torch import dream, load_caffe

    open_nsfw = args.models / "open_nsfw"
    caffemodels = sorted(open_nsfw.glob("*.caffemodel"))
    if caffemodels:
        net, layer, what = load_caffe(open_nsfw / "deploy.prototxt", caffemodels[0]), "eltwise_stage2_block2", "open_nsfw"
    else:
        layer, what = "inception_4c/output", "GoogLeNet (random weights)"
    picture = _picture(480, 270)
    noise = np.random.default_rng(0).normal(0, 0.255, picture.shape)
    perturbed = np.clip(np.round(picture + noise), 0, 255).astype(np.uint8)
    options = {"octaves": 2, "iterations": 5, "seed": 0, "precision": "fp32"}
    cpu = dream(picture, net, layer, device="cpu", **options)
    floor = dream(perturbed, net, layer, device="cpu", **options)
    gpu = dream(picture, net, layer, device="cuda", **options)
    gpu_auto = dream(picture, net, layer, device="cuda", **{**options, "precision": "auto"})
    print(f"\n| CUDA vs CPU, {what} {layer}, 480x270, 2 octaves x 5 | PSNR vs CPU fp32 dB | chaos floor dB |")
    print(f"|---|---|---|\n| CUDA fp32 | {_psnr(gpu, cpu):.2f} | {_psnr(floor, cpu):.2f} |")
    print(f"| CUDA auto | {_psnr(gpu_auto, cpu):.2f} | {_psnr(floor, cpu):.2f} |", flush=True)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else 10 * math.log10(255**2 / error)


if __name__ == "__main__":
    main()
