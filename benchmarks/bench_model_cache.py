"""How much the conversion cache saves: loading a model from its caffemodel vs from cached safetensors.

Random weights for the model's prototxt (default: the shared bvlc_googlenet deploy.prototxt) are written to a
temporary store, then each way of loading is timed several times, interleaved so that machine load affects both:

- `load_caffe`: parse the caffemodel and convert (what every run would cost without the cache);
- `load_model, first use`: the same plus the sha1 and writing the cache (the cache emptied before each run);
- `load_model, cached`: the sha1 from its sidecar, the net built without weights, the cached tensors assigned.

Run: `.venv/bin/python benchmarks/bench_model_cache.py [--prototxt P] [--repeat N]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

SHARED_GOOGLENET = (
    Path(__file__).resolve().parents[2] / "shared" / "models" / "bvlc_googlenet" / "deploy.prototxt"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prototxt", type=Path, default=SHARED_GOOGLENET)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--legacy", action="store_true", help="write the V1 (2014) caffemodel format")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DEEPDREAM_HOME"] = str(Path(tmp) / "home")
        # Imported after DEEPDREAM_HOME is set, although the store reads it at call time anyway.
        from deepdream_torch.net.load import load_caffe
        from deepdream_torch.net.random_weights import write_random_caffemodel
        from deepdream_torch.weights.cache import load_model
        from deepdream_torch.weights.store import converted_dir

        folder = Path(tmp) / "model"
        folder.mkdir()
        prototxt = folder / "deploy.prototxt"
        shutil.copy(args.prototxt, prototxt)
        caffemodel = write_random_caffemodel(
            prototxt, folder / "model.caffemodel", seed=0, legacy=args.legacy
        )
        size_mb = caffemodel.stat().st_size / 1e6

        def first_use() -> torch.nn.Module:
            shutil.rmtree(converted_dir(), ignore_errors=True)
            return load_model(prototxt, caffemodel)

        ways: dict[str, Callable[[], torch.nn.Module]] = {
            "load_caffe (no cache)": lambda: load_caffe(prototxt, caffemodel),
            "load_model, first use": first_use,
            "load_model, cached": lambda: load_model(prototxt, caffemodel),
        }
        times: dict[str, list[float]] = {name: [] for name in ways}
        first_use()  # warm imports and the page cache, and leave a cache entry for the cached runs
        for _ in range(args.repeat):
            for name, load in ways.items():
                start = time.perf_counter()
                load()
                times[name].append(time.perf_counter() - start)
            load_model(prototxt, caffemodel)  # first_use emptied the cache; refill before the next round

        x = torch.randn(1, 3, 224, 224)
        blob = load_caffe(prototxt, caffemodel).blob_names[-1]
        same = torch.equal(
            load_caffe(prototxt, caffemodel)(x, outputs=[blob])[blob],
            load_model(prototxt, caffemodel)(x, outputs=[blob])[blob],
        )

    form = "V1" if args.legacy else "current"
    print(
        f"{args.prototxt} with random weights ({size_mb:.1f} MB {form}-format caffemodel), {args.repeat} runs,"
        f" torch threads {torch.get_num_threads()}"
    )
    for name, runs in times.items():
        print(
            f"  {name:24s} median {statistics.median(runs) * 1000:7.1f} ms   best {min(runs) * 1000:7.1f} ms"
        )
    uncached = statistics.median(times["load_caffe (no cache)"])
    cached = statistics.median(times["load_model, cached"])
    print(f"  cached vs load_caffe: {uncached / cached:.2f}x   identical outputs at {blob!r}: {same}")


if __name__ == "__main__":
    main()
