"""The studio's figures: the library with 500 pictures, a preview at 320 px, and a job against the CLI's own run.

1. Library: 500 pictures (640x480 JPEGs) in ``single_pictures/``; the library list and every thumbnail fetched
   through the app (FastAPI's TestClient), the first visit (thumbnails made) and the next (served from the cache).
   The goal: the next visit under 1 s.
2. Preview: ``/api/preview`` of a 320-px picture (``../shared/media/hulk.jpg`` shrunk) at the default layer with the
   page's default settings (4 octaves x 10 iterations), once warm (the net loaded). A figure, not a goal.
3. Job: the same video run (a generated 128x96 clip of 8 frames, 2 octaves x 4 iterations) as ``deepdream -e ...`` in a child
   process and as a studio job (from the POST to the job's ``done``), interleaved, one warm-up run first; wall time
   and the CPU time of the run's process (steadier on a shared machine). The goal: the studio <= 1.03x the CLI.

GoogLeNet's real prototxt (``../shared/models/bvlc_googlenet``) with random weights (they cost what trained ones do),
on the CPU.

    python benchmarks/bench_studio.py [--part library|preview|job|all] [--pictures 500] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))
TOKEN = "bench"


def client(data: Path, **options: object):
    from fastapi.testclient import TestClient

    from deepdream_torch.studio.app import create_app
    from deepdream_torch.studio.security import host_names

    made = TestClient(create_app(data, TOKEN, host_names("127.0.0.1"), **options), base_url="http://127.0.0.1:8765")
    made.__enter__()
    made.get(f"/?token={TOKEN}")
    return made


def post(app, path: str, body: object):
    return app.post(path, json=body, headers={"X-Studio": "1", "Origin": "http://127.0.0.1:8765"})


def googlenet() -> str:
    """A models root holding bvlc_googlenet: the real prototxt, random weights. Returns the caffemodel name."""
    from deepdream_torch.net.random_weights import write_random_caffemodel

    folder = Path(os.environ["DEEPDREAM_MODELS"]) / "models" / "bvlc_googlenet"  # the models root the app reads
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SHARED / "models/bvlc_googlenet/deploy.prototxt", folder / "deploy.prototxt")
    write_random_caffemodel(folder / "deploy.prototxt", folder / "bvlc_googlenet.caffemodel", seed=0)
    return "bvlc_googlenet.caffemodel"


def library(work: Path, pictures: int) -> None:
    """The page as a person opens it: ``deepdream studio`` and Debian's chromium; then every thumbnail over HTTP
    with 6 connections at once (a browser's per-host limit), which is the server's whole share of the page."""
    from concurrent.futures import ThreadPoolExecutor
    from urllib.request import urlopen

    from tests.studio.browser import chromium, studio_server

    data = work / "data"
    folder = data / "single_pictures"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    for number in range(pictures):
        Image.fromarray(np.roll(base, number, axis=1)).save(folder / f"picture_{number:04d}.jpg", quality=85)
    shown = (f"document.querySelectorAll('#library .card').length === {pictures} && [...document.querySelectorAll("
             "'#library img')].filter(i => i.getBoundingClientRect().top < innerHeight).every(i => i.complete &&"
             " i.naturalWidth > 0)")
    with studio_server(data) as (address, _):
        base_url, token = address.split("/?token=")

        def every_thumbnail() -> float:
            started = time.perf_counter()
            names = [f"{base_url}/api/thumb?name=single_pictures/picture_{n:04d}.jpg&token={token}"
                     for n in range(pictures)]
            with ThreadPoolExecutor(6) as pool:
                assert all(size > 0 for size in pool.map(lambda url: len(urlopen(url).read()), names))
            return time.perf_counter() - started

        print(f"every thumbnail over HTTP, 6 at once, first (made): {every_thumbnail():.2f} s")
        print(f"every thumbnail over HTTP, 6 at once, cached: {every_thumbnail():.2f} s")
        with chromium() as browser:
            for visit in ("visit, new browser (server cache only)", "visit, new browser (server cache only)"):
                page = browser.new_context(viewport={"width": 1360, "height": 1000}).new_page()
                started = time.perf_counter()
                page.goto(address)
                page.wait_for_function(shown, timeout=120_000)
                print(f"library page, {pictures} pictures, {visit}: {time.perf_counter() - started:.2f} s"
                      " (every card, the thumbnails on screen loaded)")
                started = time.perf_counter()
                page.reload()
                page.wait_for_function(shown, timeout=120_000)
                print(f"library page, {pictures} pictures, reload (browser cache too): "
                      f"{time.perf_counter() - started:.2f} s")
                page.context.close()


def preview(work: Path) -> None:
    data = work / "data"
    (data / "single_pictures").mkdir(parents=True)
    with Image.open(SHARED / "media/hulk.jpg") as image:
        image = image.convert("RGB")
        image.thumbnail((320, 320))
        image.save(data / "single_pictures/hulk320.jpg")
    model = googlenet()
    app = client(data, run_jobs=False)
    body = {"model": model, "source": "single_pictures/hulk320.jpg", "octaves": 4, "iterations": 10}
    for attempt in ("cold (net converted and loaded)", "warm", "warm"):
        started = time.perf_counter()
        answer = post(app, "/api/preview", body).json()
        assert "size" in answer, answer
        print(f"preview {answer['size']} at {answer['layer']}, 4 octaves x 10 iterations, {attempt}:"
              f" {time.perf_counter() - started:.2f} s (the dream itself {answer['seconds']} s)")


def job(work: Path, rounds: int) -> None:
    from deepdream_torch.cli.sample import write_sample_clip

    data = work / "data"
    write_sample_clip(data / "videos/clip.mp4", 128, 96, seconds=8 / 12, fps=12)
    model = googlenet()
    folder = str(Path(os.environ["DEEPDREAM_MODELS"]) / "models" / "bvlc_googlenet")
    spec = {"kind": "video", "source": "videos/clip.mp4", "model": model, "layers": ["inception_4c/output"],
            "octaves": 2, "iterations": 4}
    app = client(data)

    def fresh() -> None:
        for path in (data / "output_frames", data / "dream_video", data / ".studio" / "jobs.json"):
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def cli() -> tuple[float, float]:
        fresh()
        argv = ["-e", "data/videos/clip.mp4", "-p", folder, "-m", model, "-l", "inception_4c/output", "-oct", "2",
                "-itr", "4"]
        started, cpu = time.perf_counter(), children_cpu()
        subprocess.run([sys.executable, "-m", "deepdream_torch.cli", *argv], cwd=work, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started, children_cpu() - cpu

    def studio() -> tuple[float, float]:
        fresh()
        queue = app.app.app.state.queue
        queue.jobs.clear()
        started, cpu = time.time(), children_cpu()
        job_id = post(app, "/api/jobs", spec).json()["job"]["id"]
        while (job := queue.get(job_id)).state not in ("done", "failed", "stopped") or queue.current is not None:
            # Read in this process, twice a second: polling the API through TestClient every few ms cost a core
            # of this 2-core machine (16 ms a request), which the job's child then lacked. The end time is the
            # job's own (set when its process exited), so the poll adds nothing to the figure.
            time.sleep(0.5)
        assert job.state == "done", job.message
        return job.ended - started, children_cpu() - cpu  # the job's child, reaped by now

    cli()  # warm-up: the conversion cache is filled once
    times: dict[str, list[tuple[float, float]]] = {"cli": [], "studio": []}
    for _ in range(rounds):
        times["cli"].append(cli())
        times["studio"].append(studio())
    for name, values in times.items():
        print(f"{name}: " + ", ".join(f"{wall:.2f} s wall ({cpu:.2f} s CPU)" for wall, cpu in values))
    for index, what in ((0, "wall"), (1, "CPU of the run's process")):
        ratio = sum(v[index] for v in times["studio"]) / sum(v[index] for v in times["cli"])
        print(f"studio / CLI, {what}, sum over {rounds} rounds: {ratio:.3f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="all", choices=("library", "preview", "job", "all"))
    parser.add_argument("--pictures", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        os.environ.update(DEEPDREAM_HOME=str(root / "home"), DEEPDREAM_MODELS=str(root), OMP_NUM_THREADS="2")
        os.chdir(root)
        print(f"CPU: {os.cpu_count()} cores; torch threads 2")
        for part in ("library", "preview", "job"):
            if args.part in (part, "all"):
                work = root / part
                work.mkdir()
                if part == "library":
                    library(work, args.pictures)
                elif part == "preview":
                    preview(work)
                else:
                    job(work, args.rounds)


if __name__ == "__main__":
    main()
