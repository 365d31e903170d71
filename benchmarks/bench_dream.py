"""How fast the dream kernel runs: GoogLeNet (random weights) on one picture, against a straight port of the
original loop and against the machine's own convolution speed.

Figures printed (all measured in this process, on the chosen device):

- seconds per picture for ``dream()`` at the given size and settings (default: 960x540, 4 octaves, 10 iterations,
  inception_4c/output), after one short warm-up dream;
- achieved GFLOP/s of the dream loop: FLOPs of one step per octave size (``FlopCounterMode``) times the steps,
  over the seconds per picture;
- the machine's convolution throughput: a large 3x3 convolution, forward and input-gradient (the work a dream
  step does), in the same layout and precision; and the ratio of the two (goal on CPU: >= 0.5);
- the same picture through a straight port of the original loop (numpy arrays, ``scipy.ndimage.zoom`` per octave,
  a host round trip per step, the net in its loaded layout) and our speed-up over it;
- the choices the kernel makes, measured one dream step at a time: channels-last against contiguous, one batch
  of three layers against three single steps, bf16 against fp32, and (``--compile``) ``torch.compile`` of the
  net against eager.

Run: ``.venv/bin/python benchmarks/bench_dream.py [--size 960x540] [--iterations 10] [--octaves 4] [--no-baseline]``.
``--device cuda --precision bf16`` runs the same on a GPU (not measured where this was written: no GPU there).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from scipy import ndimage
from torch.utils.flop_counter import FlopCounterMode

from deepdream_torch import dream, load_caffe
from deepdream_torch.converters import conv
from deepdream_torch.dreaming.device import autocast, resolve_device, resolve_precision
from deepdream_torch.dreaming.loop import dream_step, item_generators
from deepdream_torch.dreaming.objectives import l2
from deepdream_torch.dreaming.octaves import octave_sizes
from deepdream_torch.dreaming.settings import DreamSettings
from deepdream_torch.net.random_weights import write_random_caffemodel

SHARED = Path(__file__).resolve().parents[2] / "shared"
GOOGLENET = SHARED / "models" / "bvlc_googlenet" / "deploy.prototxt"
PICTURE = SHARED / "media" / "hulk.jpg"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prototxt", type=Path, default=GOOGLENET)
    parser.add_argument("--size", default="960x540", help="WIDTHxHEIGHT of the picture")
    parser.add_argument("--layer", default="inception_4c/output")
    parser.add_argument("--octaves", type=int, default=4)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--precision", default="fp32", choices=["fp32", "bf16", "fp16"])
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's own choice)")
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the straight port of the original loop"
    )
    parser.add_argument(
        "--no-choices", action="store_true", help="skip the layout/batch/precision comparisons"
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="also time a step through torch.compile(net) against eager (minutes of compiling on a CPU)",
    )
    args = parser.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    dtype = resolve_precision(args.precision, device)
    width, height = (int(n) for n in args.size.lower().split("x"))
    settings = DreamSettings(octaves=args.octaves, iterations=args.iterations)
    picture = load_picture(width, height)
    threads = torch.get_num_threads()
    print(
        f"device {device} ({describe(device)}), {threads} threads, torch {torch.__version__}, {args.precision}"
    )
    print(f"{args.prototxt.parent.name} (random weights), {width}x{height}, layer {args.layer},")
    print(
        f"octaves {settings.octaves}, octave scale {settings.octave_scale}, iterations {settings.iterations},"
    )
    print(f"jitter {settings.jitter}, step size {settings.step_size}")
    print(f"load average before: {os.getloadavg()[0]:.2f} (other processes slow every figure below)\n")

    with tempfile.TemporaryDirectory() as tmp:
        caffemodel = write_random_caffemodel(args.prototxt, Path(tmp) / "net.caffemodel")
        net = load_caffe(args.prototxt, caffemodel)
        plain = load_caffe(args.prototxt, caffemodel)  # the baseline's, left in its loaded layout

    options = {
        "octaves": settings.octaves,
        "iterations": settings.iterations,
        "device": str(device),
        "seed": 0,
    }
    dream(picture, net, args.layer, octaves=1, iterations=1, device=str(device), precision=args.precision)
    began, cpu_began = time.perf_counter(), time.process_time()
    dream(picture, net, args.layer, precision=args.precision, **options)
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu_began
    flops = loop_flops(net, args.layer, settings, height, width, device, dtype)
    achieved = flops / seconds / 1e9
    peak, cpu_peak = conv_throughput(device, dtype)
    print(f"ours: {seconds:.2f} s per picture ({cpu_seconds:.2f} s of CPU)")
    print(f"dream loop: {flops / 1e9:.0f} GFLOP, {achieved:.1f} GFLOP/s ({flops / cpu_seconds / 1e9:.1f} per CPU second)")
    print(f"machine: {peak:.1f} GFLOP/s on a large 3x3 convolution (forward + input gradient), {cpu_peak:.1f} per"
          " CPU second")
    print(f"ratio: {achieved / peak:.2f} of the machine's convolution throughput")
    if device.type == "cpu":  # CPU seconds: what other processes on a shared machine disturb least
        print(f"ratio in CPU time: {flops / cpu_seconds / 1e9 / cpu_peak:.2f}")
    print()

    if not args.no_baseline:
        plain.to(device)
        began, cpu_began = time.perf_counter(), time.process_time()
        original_loop(plain, picture, args.layer, settings, device)
        baseline, cpu_baseline = time.perf_counter() - began, time.process_time() - cpu_began
        print(
            f"straight port of the original loop: {baseline:.2f} s per picture ({cpu_baseline:.2f} s of CPU)"
        )
        print(f"speed-up: {baseline / seconds:.2f}x ({cpu_baseline / cpu_seconds:.2f}x in CPU time)\n")

    if not args.no_choices:
        print("choices, one dream step each at the full size:")
        net.to(memory_format=torch.channels_last)
        last = step_seconds(net, args.layer, [args.layer], height, width, device, dtype, torch.channels_last)
        net.to(memory_format=torch.contiguous_format)
        plain_layout = step_seconds(net, args.layer, [args.layer], height, width, device, dtype)
        net.to(memory_format=torch.channels_last)
        print(f"  layout: channels-last {last:.3f} s, contiguous {plain_layout:.3f} s")
        sweep = ["inception_4c/output", "inception_4d/output", "inception_4e/output"]
        if all(name in net.blob_names for name in sweep):
            batched = step_seconds(net, args.layer, sweep, height, width, device, dtype, torch.channels_last)
            single = sum(
                step_seconds(net, args.layer, [name], height, width, device, dtype, torch.channels_last)
                for name in sweep
            )
            print(f"  3 layers 4c/4d/4e: one batch {batched:.3f} s, one by one {single:.3f} s")
        if device.type == "cpu" and dtype is None:
            half = step_seconds(
                net, args.layer, [args.layer], height, width, device, torch.bfloat16, torch.channels_last
            )
            print(f"  precision: bf16 {half:.3f} s, fp32 {last:.3f} s")
        if args.compile:
            began = time.perf_counter()
            compiled = torch.compile(net)
            step_seconds(compiled, args.layer, [args.layer], height, width, device, dtype, torch.channels_last, 1)
            warm = time.perf_counter() - began
            fast = step_seconds(compiled, args.layer, [args.layer], height, width, device, dtype, torch.channels_last)
            print(f"  torch.compile: {fast:.3f} s a step, eager {last:.3f} s ({warm:.0f} s to compile and warm up)")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


def load_picture(width: int, height: int) -> np.ndarray:
    """The original tool's sample picture at the asked size, or noise where ../shared is absent."""
    if PICTURE.is_file():
        with Image.open(PICTURE) as opened:
            return np.asarray(opened.convert("RGB").resize((width, height), Image.Resampling.BILINEAR))
    return np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return "CPU"


def loop_flops(
    net: torch.nn.Module,
    layer: str,
    settings: DreamSettings,
    height: int,
    width: int,
    device: torch.device,
    dtype: torch.dtype | None,
) -> int:
    """FLOPs of a whole dream: one counted step per octave size, times the iterations. Counted with the first
    convolution's input gradient taken the plain way: space to depth (converters/conv.py) multiplies by zero
    taps, which is no work the dream needs."""
    with plain_strided_gradients():
        return _counted_flops(net, layer, settings, (height, width), device, dtype)


@contextlib.contextmanager
def plain_strided_gradients() -> Iterator[None]:
    """Space to depth off for the block (a version of the package before it: nothing to turn off)."""
    few = getattr(conv, "_FEW_CHANNELS", None)
    conv._FEW_CHANNELS = 0
    try:
        yield
    finally:
        conv._FEW_CHANNELS = few


def _counted_flops(
    net: torch.nn.Module, layer: str, settings: DreamSettings, size: tuple[int, int], device, dtype
) -> int:
    height, width = size
    total = 0
    mean = torch.tensor(settings.mean, device=device).view(1, 3, 1, 1)
    for h, w in octave_sizes(height, width, settings.octaves, settings.octave_scale):
        x = torch.zeros(1, 3, h, w, device=device).contiguous(memory_format=torch.channels_last)
        with FlopCounterMode(display=False) as counter:
            dream_step(
                x,
                net,
                [l2(layer)],
                item_generators(0, 1),
                settings,
                -mean,
                255 - mean,
                autocast(device, dtype),
            )
        total += counter.get_total_flops() * settings.iterations
    return total


def conv_throughput(device: torch.device, dtype: torch.dtype | None) -> tuple[float, float]:
    """GFLOP/s of a 256->256 3x3 convolution on a 96x160 map, forward and input gradient: per second of wall
    time, and per second of this process's CPU time (fastest of 5 each)."""
    weight = torch.randn(256, 256, 3, 3, device=device).contiguous(memory_format=torch.channels_last)
    x = torch.randn(1, 256, 96, 160, device=device).contiguous(memory_format=torch.channels_last)

    def once() -> None:
        leaf = x.detach().requires_grad_(True)
        with autocast(device, dtype):
            out = F.conv2d(leaf, weight, padding=1)
        out.backward(torch.ones_like(out), inputs=[leaf])

    once()
    with FlopCounterMode(display=False) as counter:
        once()
    cpu = []
    for _ in range(5):
        began = time.process_time()
        once()
        cpu.append(time.process_time() - began)
    flops = counter.get_total_flops()
    return flops / timed(once, device, repeat=5) / 1e9, flops / min(cpu) / 1e9


def step_seconds(
    net: torch.nn.Module,
    layer: str,
    layers: list[str],
    height: int,
    width: int,
    device: torch.device,
    dtype: torch.dtype | None,
    layout: torch.memory_format = torch.contiguous_format,
    repeat: int = 3,
) -> float:
    """Seconds of one dream step of ``len(layers)`` items, item i on ``layers[i]`` (fastest of ``repeat``)."""
    settings = DreamSettings()
    mean = torch.tensor(settings.mean, device=device).view(1, 3, 1, 1)
    x = (torch.rand(len(layers), 3, height, width, device=device) * 255 - mean).contiguous(
        memory_format=layout
    )
    objectives = [l2(name) for name in layers]
    generators = item_generators(0, len(layers))

    def once() -> None:
        dream_step(x, net, objectives, generators, settings, -mean, 255 - mean, autocast(device, dtype))

    once()
    return timed(once, device, repeat=repeat)


def timed(work: Callable[[], None], device: torch.device, repeat: int) -> float:
    """Fastest seconds of ``work``, waiting for the device each time: the least disturbed by other processes on a
    shared machine."""
    times = []
    for _ in range(repeat):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        began = time.perf_counter()
        work()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - began)
    return min(times)


def original_loop(
    net: torch.nn.Module, picture: np.ndarray, layer: str, settings: DreamSettings, device: torch.device
) -> np.ndarray:
    """The original notebook's loop ported as it was: numpy state, a zoom per octave, a host round trip per step."""
    mean = np.array(settings.mean, dtype=np.float32)[:, None, None]
    rng = np.random.default_rng(0)
    scale = settings.octave_scale
    octaves = [np.float32(np.rollaxis(picture, 2)[::-1]) - mean]
    for _ in range(settings.octaves - 1):
        octaves.append(ndimage.zoom(octaves[-1], (1, 1 / scale, 1 / scale), order=1))
    detail = np.zeros_like(octaves[-1])
    for octave_base in octaves[::-1]:
        h, w = octave_base.shape[-2:]
        detail = ndimage.zoom(detail, (1, h / detail.shape[1], w / detail.shape[2]), order=1)
        src = octave_base + detail
        for _ in range(settings.iterations):
            ox, oy = rng.integers(-settings.jitter, settings.jitter + 1, 2)
            src = np.roll(np.roll(src, ox, -1), oy, -2)
            x = torch.from_numpy(np.ascontiguousarray(src[None])).to(device).requires_grad_(True)
            blob = net(x, outputs=[layer])[layer]
            blob.backward(blob.detach())  # the L2 objective: the gradient is the activation
            g = x.grad[0].cpu().numpy()
            src = src + settings.step_size / np.abs(g).mean() * g
            src = np.roll(np.roll(src, -ox, -1), -oy, -2)
            src = np.clip(src, -mean, 255 - mean)
        detail = src - octave_base
    return np.uint8(np.clip(np.dstack((src + mean)[::-1]), 0, 255))


if __name__ == "__main__":
    main()
