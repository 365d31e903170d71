"""Chunked runs on Ray (``--ray``): how seamless the chunk starts are, and what the cluster costs.

- seams: frames dreamed by chunks that start cold K frames early (K = 0, 2, 4, 8; blend 0.5, plain and
  ``--flow dis``) against a sequential run of the same settings and seeds: PSNR at each chunk's first frames.
  The floor is the sequential run against itself on source frames perturbed by 1e-3 of the full scale (Gaussian,
  sigma 0.255 grey levels, rounded): dreams are chaotic, so no chunk start can be expected closer than that. The
  chunks run through ``ChunkWorker.dream_chunk`` (the code a Ray actor runs) in this process, each into an empty
  folder, so every chunk starts from its warm-up as when its neighbour is not finished yet (on a cluster a chunk
  whose previous frame is already on disk starts from that frame, exactly).
- overhead, on a local Ray instance (127.0.0.1, 2 CPUs): Ray start, shipping the net (object store put, then a
  worker's first chunk), a chunk with nothing to do (scheduling round trip), and a chunk's own cost beside the
  dreamer's time for its frames (reading, blending, writing); efficiency = frames ÷ (frames + warm-up frames).
- wall time of the same frames dreamed by 2 Ray workers x 1 thread against 1 process x 2 threads and x 1 thread
  (mode 2), each in a fresh process, Ray's start included.
- a paper plan: throughput of N workers from the measured single-worker frames/s and the efficiency formula.

Real open_nsfw weights (``../shared/models/open_nsfw``) on ``eltwise_stage2_block2``, the first frames of
``../shared/media/nature_1sm480.mkv`` at 192 px wide, 2 octaves x 3 iterations: sized for a shared 2-core machine.

    python benchmarks/bench_ray.py [--frames 16] [--no-flow] [--parts seams overhead wall plan]
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from PIL import Image

from deepdream_torch import load_caffe
from deepdream_torch.cluster import DreamRecipe, RayPlan, dream_frames_on_ray
from deepdream_torch.cluster.plan import Chunk, default_warmup, warmup_efficiency
from deepdream_torch.cluster.sources import FolderFrames
from deepdream_torch.cluster.worker import ChunkJob, ChunkWorker
from deepdream_torch.dreaming.settings import DreamSettings
from deepdream_torch.video.blend import Blend
from deepdream_torch.video.decode import decode_frames
from deepdream_torch.video.flow import NO_FLOW, Flow
from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.images import read_image
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.paths import dream_frame_path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
NSFW = SHARED / "models" / "open_nsfw"
BLOB = "eltwise_stage2_block2"
WIDTH = 192
BLEND = Blend(value=0.5)
RECIPE = DreamRecipe(DreamSettings(octaves=2, iterations=3, jitter=8), mean=(104.0, 117.0, 123.0), device="cpu")
CHUNK_STARTS = (9, 17)  # chunks of 8 frames: 1-8, 9-16, 17-24
SEAM_FRAMES = 3  # compared at a chunk's first three frames
WARMUPS = (0, 2, 4, 8)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if error == 0 else 10 * math.log10(255**2 / error)


def write_source(folder: Path, count: int, noise: float = 0.0, seed: int = 1) -> Path:
    """The clip's first ``count`` frames, resized, as ``00000001.png`` ...; ``noise`` sigma in grey levels."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for frame in decode_frames(SHARED / "media" / "nature_1sm480.mkv", FrameRange(1, count)):
        height = 2 * round(frame.image.shape[0] * WIDTH / frame.image.shape[1] / 2)
        image = cv2.resize(frame.image, (WIDTH, height), interpolation=cv2.INTER_AREA).astype(np.float64)
        if noise:
            image += rng.normal(0.0, noise, image.shape)
        Image.fromarray(np.clip(np.rint(image), 0, 255).astype(np.uint8)).save(folder / f"{frame.number:08d}.png")
    return folder


def dream_chunk(
    net: torch.nn.Module, source: Path, out: Path, chunk: Chunk, warmup: int, flow: Flow
) -> tuple[float, int]:
    """(seconds, warm-up frames) of one chunk dreamed by the worker code into ``out``."""
    job = ChunkJob(FolderFrames(source, "png"), out, (BLOB,), BLEND, "png", first=1, warmup=warmup,
                   flow=flow)  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    report = ChunkWorker(RECIPE, job).dream_chunk(chunk, lambda: net)
    return report.seconds, report.warmup


def frame(folder: Path, number: int) -> np.ndarray:
    return read_image(dream_frame_path(folder, number, "png"))


def seams(net: torch.nn.Module, work: Path, flows: list[Flow]) -> None:
    last = max(CHUNK_STARTS) + SEAM_FRAMES - 1
    clean, noisy = write_source(work / "clean", last), write_source(work / "noisy", last, noise=0.255)
    other_noisy = write_source(work / "noisy-2", last, noise=0.255, seed=2)
    print(f"\nseams: PSNR (dB) vs the sequential run at each chunk's first {SEAM_FRAMES} frames (chunks start at "
          f"{', '.join(map(str, CHUNK_STARTS))}); blend 0.5, default warm-up {default_warmup(BLEND)}")  # fmt: skip
    print(f"{'flow':6s} {'run':28s} " + " ".join(f"{'f' + str(s + i):>7s}" for s in CHUNK_STARTS for i in range(SEAM_FRAMES))
          + f" {'min':>7s}")  # fmt: skip
    for flow in flows:
        name = "dis" if not flow.off else "off"
        sequential, floor, other_floor = work / f"seq-{name}", work / f"noisy-{name}", work / f"noisy-2-{name}"
        began = time.perf_counter()
        dream_chunk(net, clean, sequential, Chunk(0, 1, last), 0, flow)
        per_frame = (time.perf_counter() - began) / last
        dream_chunk(net, noisy, floor, Chunk(0, 1, last), 0, flow)
        dream_chunk(net, other_noisy, other_floor, Chunk(0, 1, last), 0, flow)
        numbers = [s + i for s in CHUNK_STARTS for i in range(SEAM_FRAMES)]
        _row(name, "floor: input noise 1e-3", dict.fromkeys(numbers, floor), sequential)
        _row(name, "floor: another noise draw", dict.fromkeys(numbers, other_floor), sequential)
        for warmup in WARMUPS:
            folders = {}
            for index, start in enumerate(CHUNK_STARTS, start=1):
                out = work / f"chunk-{name}-{warmup}-{start}"
                dream_chunk(net, clean, out, Chunk(index, start, start + SEAM_FRAMES - 1), warmup, flow)
                folders.update(dict.fromkeys(range(start, start + SEAM_FRAMES), out))
            _row(name, f"chunks, warm-up K={warmup}", folders, sequential)
        print(f"{name:6s} (dream: {per_frame:.2f} s per frame on this process's threads)")


def _row(name: str, label: str, folder_of: dict[int, Path], sequential: Path) -> None:
    values = [psnr(frame(folder, n), frame(sequential, n)) for n, folder in folder_of.items()]
    print(f"{name:6s} {label:28s} " + " ".join(f"{v:7.2f}" for v in values) + f" {min(values):7.2f}")


def overhead(net: torch.nn.Module, work: Path, frames: int) -> float:
    """Ray's costs; returns one worker's frames per second (1 thread, blend 1)."""
    import ray

    print("\noverhead on a local Ray instance (127.0.0.1, 2 CPUs; the machine is shared with other jobs: noisy)")
    began = time.perf_counter()
    ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
             log_to_driver=False, logging_level="ERROR")  # fmt: skip
    print(f"  Ray start: {time.perf_counter() - began:.2f} s")
    try:
        source = write_source(work / "overhead-source", frames)
        began = time.perf_counter()
        reference = ray.put(net)
        put = time.perf_counter() - began
        megabytes = sum(p.numel() * p.element_size() for p in net.state_dict().values()) / 2**20
        print(f"  net into the object store: {put:.3f} s ({megabytes:.0f} MiB of weights)")

        from deepdream_torch.cluster.runtime import NetFromObjectStore, Sizing, start_workers

        job = ChunkJob(FolderFrames(source, "png"), work / "overhead-out", (BLOB,), Blend(value=1.0), "png", 1, 0)
        (work / "overhead-out").mkdir()
        began = time.perf_counter()
        (worker,) = start_workers(ray, Sizing(1, 1, 1.0, 0.0), RECIPE, job)
        load = NetFromObjectStore(reference)
        empty = Chunk(0, frames + 1, frames)  # no frame: the worker only loads the net and answers
        ray.get(worker.dream_chunk.remote(empty, load))
        print(f"  a worker's start and net load (first chunk, nothing to dream): {time.perf_counter() - began:.2f} s")
        trips = []
        for _ in range(5):
            began = time.perf_counter()
            ray.get(worker.dream_chunk.remote(empty, load))
            trips.append(time.perf_counter() - began)
        print(f"  a chunk's round trip with nothing to dream: {statistics.median(trips) * 1000:.1f} ms")
        began = time.perf_counter()
        report = ray.get(worker.dream_chunk.remote(Chunk(1, 1, frames), load))
        wall = time.perf_counter() - began
        fps = frames / wall
        outside = (report.seconds - report.dream_seconds) / frames
        print(f"  a chunk of {frames} frames: {wall:.2f} s seen from the driver, {report.seconds:.2f} s on the worker of "
              f"which {report.dream_seconds:.2f} s in the dreamer: {outside * 1000:.0f} ms per frame outside it "
              f"(reading, blending, writing; {outside / (report.dream_seconds / frames):.1%} of a frame's dream); "
              f"one worker: {fps:.2f} frames/s")  # fmt: skip
        ray.kill(worker)
    finally:
        ray.shutdown()
    return fps


def wall_times(work: Path, frames: int) -> None:
    """2 Ray workers x 1 thread against 1 process x 2 threads (and x 1 thread), each in a fresh process."""
    print(f"\nwall time, {frames} frames, blend 1 (no warm-up) and blend 0.5 (default warm-up 8, chunks of "
          f"{frames // 2}); each run in its own process, the machine shared with other jobs (noisy)")  # fmt: skip
    source = write_source(work / "wall-source", frames)
    for blend in ("1", "0.5"):
        times = {}
        for label, how in (("1 process x 1 thread", "1"), ("1 process x 2 threads", "2"),
                           ("2 Ray workers x 1 thread", "ray")):  # fmt: skip
            out = work / f"wall-{blend}-{how}"
            began = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--one-run", str(source), str(out), blend, how], check=True)
            times[label] = time.perf_counter() - began
        ray_time = times["2 Ray workers x 1 thread"]
        print(f"  blend {blend}: " + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in times.items())
              + f" (Ray start included); 2 threads / Ray: {times['1 process x 2 threads'] / ray_time:.2f}, "
              f"1 thread / Ray: {times['1 process x 1 thread'] / ray_time:.2f}")  # fmt: skip


def one_run(source: Path, out: Path, blend: str, how: str) -> None:
    """One timed run in a fresh process: mode 2 on ``how`` threads, or (``ray``) chunked on 2 Ray workers."""
    from deepdream_torch.video import dream_frames

    net = load_caffe(NSFW / "deploy.prototxt", NSFW / "resnet_50_1by2_nsfw.caffemodel")
    chosen = Blend(value=float(blend))
    if how == "ray":
        count = len(list(source.glob("*.png")))
        options = RayPlan(workers=2, threads=1, chunk_frames=math.ceil(count / 2))
        dream_frames_on_ray(source, out, net, RECIPE, [BLOB], blend=chosen, image_type="png", options=options)
    else:
        torch.set_num_threads(int(how))
        dream_frames(source, out, RECIPE(net), [BLOB], options=FrameOptions(blend=chosen, image_type="png"))


def paper_plan(fps: float) -> None:
    warmup = default_warmup(BLEND) or 0
    size = math.ceil(warmup * 0.95 / 0.05)
    print(f"\npaper plan: N workers x {fps:.2f} frames/s each (this machine's single worker; put a GPU's own figure "
          f"in its place) x efficiency C / (C + K), K = {warmup} at blend 0.5")  # fmt: skip
    print(f"  chunk size keeping warm-up under 5 %: C >= 19 K = {size} frames (efficiency "
          f"{warmup_efficiency(size, warmup):.1%})")  # fmt: skip
    print(f"  {'C':>5s} {'efficiency':>10s} " + " ".join(f"{f'N={n}':>9s}" for n in (1, 4, 8, 32)))
    for chunk in (16, 50, size, 500):
        eff = warmup_efficiency(chunk, warmup)
        print(f"  {chunk:5d} {eff:10.1%} " + " ".join(f"{n * fps * eff:9.2f}" for n in (1, 4, 8, 32)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=16, help="frames of the overhead and wall-time runs")
    parser.add_argument("--no-flow", action="store_true", help="seams with the plain blend only")
    parser.add_argument("--parts", nargs="+", default=["seams", "overhead", "wall", "plan"],
                        choices=["seams", "overhead", "wall", "plan"], help="what to measure")  # fmt: skip
    parser.add_argument("--one-run", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_run:
        source, out, blend, how = args.one_run
        one_run(Path(source), Path(out), blend, how)
        return
    if not NSFW.is_dir():
        sys.exit(f"needs {NSFW} (the shared open_nsfw model)")
    torch.set_num_threads(1)
    net = load_caffe(NSFW / "deploy.prototxt", NSFW / "resnet_50_1by2_nsfw.caffemodel")
    work = Path(tempfile.mkdtemp(prefix="bench_ray_"))
    try:
        if "seams" in args.parts:
            seams(net, work, [NO_FLOW] if args.no_flow else [NO_FLOW, Flow("dis")])
        if "overhead" in args.parts or "plan" in args.parts:
            fps = overhead(net, work, args.frames)
        if "wall" in args.parts:
            wall_times(work, args.frames)
        if "plan" in args.parts:
            paper_plan(fps)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
