"""``--precision auto`` against fp32 and bf16 on this CPU: time per step, and whether the dream stays as it is.

For open_nsfw's real weights (``eltwise_stage2_block2``) and a GoogLeNet-shaped net with random weights
(``inception_4c/output``), on ``hulk.jpg`` at a small size: seconds per dream step (CPU seconds of one thread, robust
on a shared machine, beside wall seconds; best of ``--repeat``, interleaved) for fp32, bf16 and auto; dream strength
(mean |result - picture|) and sharpness (mean |Laplacian| of the result, grey) ÷ fp32's (goal within 5 %); PSNR
against fp32 beside the chaos floor (fp32's dream of the picture perturbed by 1e-3 of the full scale: Gaussian, sigma
0.255 grey levels, rounded; dreams are chaotic, no arithmetic can be expected closer than that).

Each CPU kind runs in a child process: this CPU as it is, and with oneDNN held to AVX2 (``ONEDNN_MAX_CPU_ISA=AVX2``:
bf16 emulated, as on a CPU without AVX512-BF16 or AMX), so one run shows both. Goals: auto never slower than fp32
(±5 %) on either, ≥ 1.5× faster where bf16 is native.

    python benchmarks/bench_precision.py [--size 480x270] [--octaves 2] [--iterations 4] [--repeat 2]
                                         [--cpus native avx2] [--nets open_nsfw googlenet]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared"
OPEN_NSFW = SHARED / "models" / "open_nsfw"
GOOGLENET = SHARED / "models" / "bvlc_googlenet" / "deploy.prototxt"
HULK = SHARED / "media" / "hulk.jpg"
LAYERS = {"open_nsfw": "eltwise_stage2_block2", "googlenet": "inception_4c/output"}
CPUS = {"native": {}, "avx2": {"ONEDNN_MAX_CPU_ISA": "AVX2"}}
PRECISIONS = ("fp32", "bf16", "auto")


def child(args: argparse.Namespace) -> None:
    """Rows for this process's CPU, one JSON line each."""
    import cv2
    import torch
    from PIL import Image

    from deepdream_torch import dream, load_caffe
    from deepdream_torch.dreaming.precision import choose

    torch.set_num_threads(1)
    width, height = (int(side) for side in args.size.split("x"))
    picture = cv2.resize(np.asarray(Image.open(HULK).convert("RGB")), (width, height), interpolation=cv2.INTER_AREA)
    noise = np.random.default_rng(0).normal(0, 0.255, picture.shape)
    perturbed = np.clip(np.round(picture + noise), 0, 255).astype(np.uint8)
    auto = choose("auto", torch.device("cpu"))
    for name in args.nets:
        if name == "open_nsfw":
            net = load_caffe(OPEN_NSFW / "deploy.prototxt", min(OPEN_NSFW.glob("*.caffemodel")))
        else:
            from deepdream_torch.net.random_weights import write_random_caffemodel

            caffemodel = Path(args.scratch) / "googlenet_random.caffemodel"
            if not caffemodel.exists():
                write_random_caffemodel(GOOGLENET, caffemodel, seed=0)
            net = load_caffe(GOOGLENET, caffemodel)
        for row in net_rows(dream, net, name, picture, perturbed, args):
            runs_as = auto.name if row["precision"] == "auto" else row["precision"]
            why = auto.reason if row["precision"] == "auto" else ""
            print(json.dumps({**row, "runs_as": runs_as, "why": why}), flush=True)


def net_rows(dream, net, name: str, picture: np.ndarray, perturbed: np.ndarray, args: argparse.Namespace) -> list:
    """One row per precision for ``net``: best seconds per step, and the result's measures ÷ fp32's."""
    steps = args.octaves * args.iterations
    settings = {"octaves": args.octaves, "iterations": args.iterations, "device": "cpu", "seed": 0, "tile": "off"}

    def run(precision: str, image: np.ndarray = picture) -> tuple[np.ndarray, float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = dream(image, net, LAYERS[name], precision=precision, **settings)
        return result, (time.perf_counter() - wall) / steps, (time.process_time() - cpu) / steps

    run("fp32")  # oneDNN builds its kernels on first use
    best: dict[str, tuple[float, float]] = {}
    results: dict[str, np.ndarray] = {}
    for repeat in range(args.repeat):
        # Each repeat in another order: a run right after an emulated bf16 one (seconds of other kernels) is slower
        # for it, whichever precision it is.
        for precision in PRECISIONS[repeat % 3 :] + PRECISIONS[: repeat % 3]:
            result, wall, cpu = run(precision)
            results[precision] = result
            old = best.get(precision, (math.inf, math.inf))
            best[precision] = (min(old[0], wall), min(old[1], cpu))
    floor = _psnr(run("fp32", perturbed)[0], results["fp32"])
    reference = results["fp32"]
    return [
        {
            "net": name, "precision": precision, "wall": best[precision][0], "cpu": best[precision][1],
            "speed": best["fp32"][1] / best[precision][1],
            "strength": _strength(results[precision], picture) / _strength(reference, picture),
            "sharpness": _sharpness(results[precision]) / _sharpness(reference),
            "psnr": _psnr(results[precision], reference), "floor": floor,
        }
        for precision in PRECISIONS
    ]


def _strength(result: np.ndarray, picture: np.ndarray) -> float:
    return float(np.abs(result.astype(np.float64) - picture).mean())


def _sharpness(result: np.ndarray) -> float:
    import cv2

    grey = cv2.cvtColor(result, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.abs(cv2.Laplacian(grey, cv2.CV_32F)).mean())


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else 10 * math.log10(255**2 / error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="480x270")
    parser.add_argument("--octaves", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--cpus", nargs="*", choices=list(CPUS), default=list(CPUS))
    parser.add_argument("--nets", nargs="*", choices=list(LAYERS), default=list(LAYERS))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    import tempfile

    print(f"hulk.jpg at {args.size}, {args.octaves} octaves x {args.iterations} iterations, 1 thread, "
          f"best of {args.repeat}; ratios ÷ fp32 in the same process")  # fmt: skip
    print("| CPU | net | precision | runs as | s/step (CPU) | s/step (wall) | speed ÷ fp32 | strength ÷ fp32 "
          "| sharpness ÷ fp32 | PSNR vs fp32 dB | chaos floor dB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    whys = {}
    with tempfile.TemporaryDirectory() as scratch:
        for cpu in args.cpus:
            command = [sys.executable, __file__, "--child", "--scratch", scratch, "--size", args.size,
                       "--octaves", str(args.octaves), "--iterations", str(args.iterations),
                       "--repeat", str(args.repeat), "--nets", *args.nets]  # fmt: skip
            env = {**os.environ, **CPUS[cpu], "DEEPDREAM_HOME": scratch, "OMP_NUM_THREADS": "1"}
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(f"| {cpu} | failed: {done.stderr.strip().splitlines()[-1:]} |")
                continue
            for line in done.stdout.splitlines():
                row = json.loads(line)
                if row["why"]:
                    whys[cpu] = row["why"]
                psnr = "-" if row["precision"] == "fp32" else f"{row['psnr']:.2f}"
                print(f"| {cpu} | {row['net']} | {row['precision']} | {row['runs_as']} | {row['cpu']:.3f} "
                      f"| {row['wall']:.3f} | {row['speed']:.2f} | {row['strength']:.3f} | {row['sharpness']:.3f} "
                      f"| {psnr} | {row['floor']:.2f} |")  # fmt: skip
    for cpu, why in whys.items():
        print(f"auto on {cpu}: {why}")


if __name__ == "__main__":
    main()
