"""Tiled dream steps under a memory budget: peak memory, time, and seams, against untiled steps.

- memory: peak RSS above the loaded net (VmHWM, reset through /proc/self/clear_refs once the net and the picture
  are loaded) of a default-shaped dream (4 octaves, ``inception_4c/output`` on GoogLeNet's prototxt with random
  weights: they cost what trained ones do) at 960x540 to 7680x4320, untiled and tiled, each in a fresh process,
  beside the budget it was given. A step's peak is what matters, and every step of an octave is alike, so these
  rows run ITERATIONS iteration(s) per octave (``--iterations 10`` for the full dream).
- time: seconds per step at 1920x1080 (1 octave) under budgets of 1/4 and 1/8 of the untiled dream's peak memory
  above the loaded net (measured first, in the same process; ``--budgets`` gives them in GiB instead, to run two
  versions under the same ones; ``--time-frame 3840x2160 --budgets 1.0`` is the 4K row), ÷ untiled, interleaved
  in one process, best of ``--repeat``; CPU seconds (robust on a shared machine) beside wall seconds, the plan and
  its predicted cost, each mode's peak memory and whether it stayed within its budget, and its PSNR against
  untiled beside the chaos floor (the untiled dream of the input + 1e-3 noise, as below). One thread: on a busy
  machine a second one mostly waits for the first. Goals: 1/4 at most 1.4x untiled, 1/8 at most 2x within its
  budget, 4K within 1.0 GiB at most 1.5x.
- ``--device cuda``: the same rows on a GPU, memory as ``torch.cuda.max_memory_allocated`` above the loaded net.
- seams: the real open_nsfw weights on ``eltwise_stage2_block2`` and ``hulk.jpg`` (960x540), tiles of 256 pixels
  against untiled: the mean gradient magnitude of the result on the tile-border lines ÷ elsewhere (1.00: no
  seam; the untiled result on the same lines beside it), and the PSNR of tiled vs untiled beside the floor, the
  untiled dream of the picture perturbed by 1e-3 of the full scale (Gaussian, sigma 0.255 grey levels, rounded):
  dreams are chaotic, no change to the loop can be expected closer than that. With the default jitter the
  borders move every step; with jitter 0 they never move, the worst case.

    python benchmarks/bench_tiles.py [--quick] [--threads 2] [--iterations 1] [--only memory time seams]
                                     [--frames 3840x2160 7680x4320] [--time-iterations 1] [--repeat 2]
                                     [--budgets 0.40 0.20] [--time-frame 3840x2160] [--device cuda]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared"
GOOGLENET = SHARED / "models" / "bvlc_googlenet" / "deploy.prototxt"
OPEN_NSFW = SHARED / "models" / "open_nsfw"
HULK = SHARED / "media" / "hulk.jpg"
LAYER = "inception_4c/output"
SEAM_LAYER = "eltwise_stage2_block2"
GIB = 2**30
# (width, height, budget in GiB or None for untiled, in --quick)
CASES = [
    (960, 540, None, True), (960, 540, 0.5, True),
    (1920, 1080, None, True), (1920, 1080, 1.0, True),
    (3840, 2160, None, False), (3840, 2160, 1.0, True),
    (7680, 4320, 4.0, False),
]  # fmt: skip

CHILD = """
import json, re, sys, time
import numpy as np, torch, cv2
from PIL import Image
from deepdream_torch import dream, load_caffe
torch.set_num_threads({threads})
net = load_caffe({prototxt!r}, {caffemodel!r})
picture = cv2.resize(np.asarray(Image.open({hulk!r}).convert("RGB")), ({width}, {height}))
def status(key):
    return int(re.search(key + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1)) * 1024
cuda = {device!r}.startswith("cuda")
if cuda:  # what torch allocates on the GPU, not the host's RSS
    net.to({device!r}); torch.cuda.reset_peak_memory_stats(); base = torch.cuda.memory_allocated()
else:
    open("/proc/self/clear_refs", "w").write("5")  # VmHWM := VmRSS: the peak from here on
    base = status("VmRSS")
said = []
start, cpu = time.perf_counter(), time.process_time()
dream(picture, net, {layer!r}, octaves=4, iterations={iterations}, device={device!r}, seed=0,
      tile={tile!r}, max_memory={budget!r}, log=lambda level, line: said.append(line))
peak = torch.cuda.max_memory_allocated() if cuda else status("VmHWM")
print(json.dumps({{"peak": peak - base, "seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "said": said}}))
"""


def memory_rows(
    caffemodel: Path, quick: bool, threads: int, iterations: int, frames: list[str] | None, device: str
) -> None:
    peak = "torch.cuda.max_memory_allocated" if device.startswith("cuda") else "peak RSS"
    print(f"memory: GoogLeNet {LAYER}, 4 octaves x {iterations} iteration(s), {device}, {threads} thread(s); "
          f"{peak} above the loaded net and picture, each case in a fresh process")  # fmt: skip
    print(f"{'frame':>10s} {'mode':>8s} {'budget GiB':>10s} {'peak GiB':>9s} {'peak<=budget':>12s} {'seconds':>8s}"
          f" {'CPU s':>8s}  plan")
    for width, height, budget, in_quick in CASES:
        if (quick and not in_quick) or (frames and f"{width}x{height}" not in frames):
            continue
        code = CHILD.format(
            threads=threads, prototxt=str(GOOGLENET), caffemodel=str(caffemodel), hulk=str(HULK), width=width,
            height=height, layer=LAYER, iterations=iterations, tile="off" if budget is None else "auto", device=device,
            budget=None if budget is None else int(budget * GIB),
        )  # fmt: skip
        run = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{width}x{height}: failed: {run.stderr.strip().splitlines()[-1]}")
            continue
        result = json.loads(run.stdout.strip().splitlines()[-1])
        peak = result["peak"] / GIB
        plan = next((line for line in result["said"] if f"{width}x{height}:" in line), "one pass")
        fits = "-" if budget is None else ("yes" if peak <= budget else "NO")
        mode = "untiled" if budget is None else "tiled"
        budget_text = "-" if budget is None else f"{budget:.2f}"
        print(f"{width:>5d}x{height:<4d} {mode:>8s} {budget_text:>10s} {peak:9.2f} {fits:>12s} "
              f"{result['seconds']:8.1f} {result['cpu']:8.1f}  {plan.split(': ', 1)[-1]}")  # fmt: skip


def time_rows(
    caffemodel: Path, threads: int, iterations: int, repeat: int, device: str, fixed: list[float] | None,
    frame: tuple[int, int] = (1920, 1080), precision: str = "auto",
) -> None:
    """Seconds per step at ``frame`` (width, height) in ``precision`` under budgets of 1/4 and 1/8 of the untiled dream's peak
    memory (above the loaded net, measured first in this process; ``fixed``: these budgets in GiB instead), over
    untiled; each mode's peak memory above the loaded net; and its result's PSNR against untiled beside the
    chaos floor."""
    import cv2
    import torch
    from PIL import Image

    from deepdream_torch import dream, load_caffe
    from deepdream_torch.dreaming.memory import release_freed_memory

    torch.set_num_threads(threads)
    net = load_caffe(GOOGLENET, caffemodel)
    picture = cv2.resize(np.asarray(Image.open(HULK).convert("RGB")), frame)
    name_of_frame = f"{frame[0]}x{frame[1]}"
    noise = np.random.default_rng(0).normal(0, 0.255, picture.shape)
    perturbed = np.clip(np.round(picture + noise), 0, 255).astype(np.uint8)
    budgets: dict[str, int | None] = {"untiled": None}
    said: dict[str, list[str]] = {"untiled": []}
    settings = {"octaves": 1, "iterations": iterations, "device": device, "seed": 0, "precision": precision}
    target = torch.device(device)

    def run(name: str, image: np.ndarray = picture) -> tuple[np.ndarray, float, float, float]:
        budget = budgets[name]
        options = {"tile": "off"} if budget is None else {"max_memory": budget}
        release_freed_memory(target)
        if target.type == "cuda":
            torch.cuda.synchronize(target)
            torch.cuda.reset_peak_memory_stats(target)
            base = torch.cuda.memory_allocated(target)
        else:
            Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
            base = _status("VmRSS")
        wall, cpu = time.perf_counter(), time.process_time()
        result = dream(image, net, LAYER, log=lambda _, line: said[name].append(line), **settings, **options)
        if target.type == "cuda":
            torch.cuda.synchronize(target)
        seconds = (time.perf_counter() - wall, time.process_time() - cpu)
        peak = torch.cuda.max_memory_allocated(target) if target.type == "cuda" else _status("VmHWM")
        return result, seconds[0] / iterations, seconds[1] / iterations, (peak - base) / GIB

    run("untiled")  # probes once, as every run does
    untiled_peak = run("untiled")[3]
    shares = {"1/4": untiled_peak / 4, "1/8": untiled_peak / 8}
    if fixed:
        shares = {f"{given:.2f} GiB": given for given in fixed}
    for name, gib in shares.items():
        budgets[name] = int(gib * GIB)
        said[name] = []
        run(name)  # plans once, as every run does
    best = {name: [math.inf, math.inf, 0.0] for name in budgets}  # wall, CPU seconds per step, peak GiB
    results = {}
    for _ in range(repeat):
        for name in budgets:
            results[name], wall, cpu, peak = run(name)
            best[name] = [min(best[name][0], wall), min(best[name][1], cpu), max(best[name][2], peak)]
    floor = _psnr(run("untiled", perturbed)[0], results["untiled"])
    memory = "peak allocated GiB" if target.type == "cuda" else "peak RSS GiB"
    print(f"\ntime: {name_of_frame}, GoogLeNet {LAYER}, {precision}, 1 octave x {iterations} iteration(s), {device},"
          f" {threads}"
          f" thread(s), best of {repeat} (interleaved); budgets: shares of the untiled dream's peak above the loaded"
          f" net ({untiled_peak:.2f} GiB){' as given' if fixed else ''}; chaos floor (input + 1e-3 noise):"
          f" {floor:.2f} dB")  # fmt: skip
    print(f"| budget | GiB | plan | predicted | CPU s/step | CPU ratio | wall s/step | wall ratio | {memory} |"
          " within budget | PSNR vs untiled dB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, budget in budgets.items():
        plan = next((line.split(": ", 1)[-1] for line in said[name] if f"{name_of_frame}:" in line), "one pass")
        predicted = plan.split("predicted cost ")[-1].split("x")[0] if "predicted cost" in plan else "1.00"
        plan = plan.split("; predicted")[0]
        psnr = "-" if name == "untiled" else f"{_psnr(results[name], results['untiled']):.2f}"
        wall, cpu, peak = best[name]
        fits = "-" if budget is None else ("yes" if peak * GIB <= budget else "NO")
        print(f"| {name} | {'-' if budget is None else f'{budget / GIB:.2f}'} | {plan} | {predicted} | {cpu:.2f} |"
              f" {cpu / best['untiled'][1]:.2f} | {wall:.2f} | {wall / best['untiled'][0]:.2f} | {peak:.2f} |"
              f" {fits} | {psnr} |")  # fmt: skip


def _status(key: str) -> int:
    import re

    return int(re.search(key + r":\s+(\d+)", Path("/proc/self/status").read_text()).group(1)) * 1024


def seam_rows(threads: int) -> None:
    import cv2
    import torch
    from PIL import Image

    from deepdream_torch import dream, load_caffe
    from deepdream_torch.dreaming.tiles import Tiler

    torch.set_num_threads(threads)
    caffemodels = sorted(OPEN_NSFW.glob("*.caffemodel"))
    net = load_caffe(OPEN_NSFW / "deploy.prototxt", caffemodels[0])
    picture = np.asarray(Image.open(HULK).convert("RGB"))
    noise = np.random.default_rng(0).normal(0, 0.255, picture.shape)
    perturbed = np.clip(np.round(picture + noise), 0, 255).astype(np.uint8)
    height, width = picture.shape[:2]
    core = Tiler(net, [SEAM_LAYER], (1, height, width), torch.device("cpu"), tile=256).plan(1, height, width)
    print(f"\nseams: open_nsfw {SEAM_LAYER} on hulk.jpg ({width}x{height}), 3 octaves x 5 iterations, "
          f"{core.describe()} at full size")  # fmt: skip
    print(f"{'jitter':>6s} {'border/else tiled':>17s} {'border/else untiled':>19s} {'PSNR tiled dB':>13s} "
          f"{'floor dB':>9s}")  # fmt: skip
    for jitter in (32, 0):
        settings = {"octaves": 3, "iterations": 5, "jitter": jitter, "device": "cpu", "seed": 0}
        untiled = dream(picture, net, SEAM_LAYER, tile="off", **settings)
        tiled = dream(picture, net, SEAM_LAYER, tile=256, **settings)
        floor = dream(perturbed, net, SEAM_LAYER, tile="off", **settings)
        lines = _border_mask(height, width, core.tile)
        print(f"{jitter:6d} {_edge_ratio(tiled, lines):17.3f} {_edge_ratio(untiled, lines):19.3f} "
              f"{_psnr(tiled, untiled):13.2f} {_psnr(floor, untiled):9.2f}")
    del cv2


def _border_mask(height: int, width: int, tile: tuple[int, int]) -> np.ndarray:
    """True on the two pixel rows/columns either side of each tile border (at full size, before any roll)."""
    mask = np.zeros((height, width), bool)
    for start in range(tile[0], height, tile[0]):
        mask[start - 1 : start + 1] = True
    for start in range(tile[1], width, tile[1]):
        mask[:, start - 1 : start + 1] = True
    return mask


def _edge_ratio(picture: np.ndarray, lines: np.ndarray) -> float:
    """Mean gradient magnitude (Sobel, grey) on ``lines`` ÷ elsewhere."""
    import cv2

    grey = cv2.cvtColor(picture, cv2.COLOR_RGB2GRAY).astype(np.float32)
    magnitude = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0), cv2.Sobel(grey, cv2.CV_32F, 0, 1))
    return float(magnitude[lines].mean() / magnitude[~lines].mean())


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else 10 * math.log10(255**2 / error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip untiled 4K and tiled 8K (a few minutes)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=1, help="iterations per octave in the memory rows")
    parser.add_argument("--only", choices=["memory", "time", "seams"], nargs="*", default=None)
    parser.add_argument("--frames", nargs="*", default=None, help="memory rows of these sizes only, e.g. 3840x2160")
    parser.add_argument("--time-iterations", type=int, default=1, help="iterations of the 1-octave time rows")
    parser.add_argument("--time-threads", type=int, default=1, help="torch threads of the time rows")
    parser.add_argument("--repeat", type=int, default=2, help="best of this many runs in the time rows")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda: peak allocated memory instead of RSS")
    parser.add_argument("--budgets", type=float, nargs="+", default=None, metavar="GIB",
                        help="the time rows' budgets in GiB (default: 1/4 and 1/8 of the untiled peak)")
    parser.add_argument("--time-frame", default="1920x1080", help="the time rows' frame, e.g. 3840x2160")
    parser.add_argument("--precision", default="auto", help="the time rows' precision (auto: the default)")
    args = parser.parse_args()
    if not GOOGLENET.is_file() or not HULK.is_file():
        sys.exit(f"needs ../shared ({SHARED}): GoogLeNet's prototxt and hulk.jpg")
    from deepdream_torch.net.random_weights import write_random_caffemodel

    parts = args.only or ["memory", "time", "seams"]
    with tempfile.TemporaryDirectory() as folder:
        caffemodel = write_random_caffemodel(GOOGLENET, Path(folder) / "googlenet.caffemodel", seed=0)
        if "memory" in parts:
            memory_rows(caffemodel, args.quick, args.threads, args.iterations, args.frames, args.device)
        if "time" in parts:
            time_rows(caffemodel, args.time_threads, args.time_iterations, args.repeat, args.device, args.budgets,
                      tuple(int(side) for side in args.time_frame.split("x")), args.precision)
    if "seams" in parts:
        seam_rows(args.threads)


if __name__ == "__main__":
    main()
