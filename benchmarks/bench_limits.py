"""Bounded work on hostile models: peak memory of listing a prototxt that declares huge weights, and the seconds
to refuse a blob behind a fully connected layer.

1. ``deepdream layers`` on a 1 KB prototxt, in a child process each (peak RSS: VmHWM): a fully connected
   layer of 100000 outputs (147 GiB of weights) and one of 1000 (1.5 GiB), beside the old way of building the
   1000-output net (zero weights allocated) and a child that only imports torch.
2. ``check_layer`` on ``prob`` of open_nsfw (ResNet-50, real weights from ../shared) and GoogLeNet (random weights),
   fresh nets: the meta-tensor planner against the old search, real forwards at 1, 2, 4, ... pixels up to 4096
   (stopped after --budget seconds).

    python benchmarks/bench_limits.py [--budget 60]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from deepdream_torch.errors import DeepDreamError

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "models"
PROTOTXT = """name: "huge"
input: "data"
input_shape {{ dim: 1 dim: 3 dim: 224 dim: 224 }}
layer {{ name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param {{ num_output: 8 kernel_size: 3 }} }}
layer {{ name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" inner_product_param {{ num_output: {outputs} }} }}
"""
CHILD = """
import json, sys
what, folder = sys.argv[1], sys.argv[2]
if what == "torch":
    import torch
elif what == "zeros":
    from deepdream_torch.net.load import load_caffe
    load_caffe(folder + "/deploy.prototxt")
else:
    from deepdream_torch.cli.app import app
    app(["layers", "-p", folder, "-m", "huge.caffemodel"], standalone_mode=False)
# VmHWM, not getrusage: ru_maxrss is inherited from the parent across fork and exec
print(json.dumps(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024))
"""


def peak_mib(what: str, folder: Path) -> float:
    done = subprocess.run([sys.executable, "-c", CHILD, what, str(folder)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def listing_memory(root: Path) -> None:
    print("peak RSS of listing a prototxt's blobs (child processes)")
    for outputs in (100_000, 1000):
        folder = root / f"fc{outputs}"
        folder.mkdir()
        (folder / "deploy.prototxt").write_text(PROTOTXT.format(outputs=outputs))
        (folder / "huge.caffemodel").write_bytes(b"")
        gib = outputs * 8 * 222 * 222 * 4 / 2**30
        size = len((folder / "deploy.prototxt").read_bytes())
        print(f"  {size} B prototxt, fc of {outputs} outputs ({gib:.1f} GiB of weights):")
        print(f"    deepdream layers (meta device)   {peak_mib('layers', folder):7.0f} MiB")
        if gib < 4:
            print(f"    building it with zero weights    {peak_mib('zeros', folder):7.0f} MiB  (the old listing)")
    print(f"    importing torch alone            {peak_mib('torch', root):7.0f} MiB")


def old_search_seconds(net: torch.nn.Module, blob: str, budget: float) -> str:
    """The old min_side: real forwards at 1, 2, 4, ... up to 4096 pixels until one reaches the blob."""
    began, side = time.perf_counter(), 1
    while side <= 4096:
        try:
            with torch.no_grad():
                net(torch.zeros(1, 3, side, side), outputs=[blob])
            return f"{time.perf_counter() - began:.1f} s (reached at {side} px)"
        except (RuntimeError, ValueError, DeepDreamError):
            pass
        elapsed = time.perf_counter() - began
        if side == 4096:
            return f"{elapsed:.1f} s, then a wrong message: 'cannot reach even from 4096x4096'"
        if elapsed > budget:
            return f"> {elapsed:.0f} s (stopped after {side} px; the search goes on to 4096 px)"
        side *= 2
    raise AssertionError("unreachable")


def refusal_seconds(budget: float, root: Path) -> None:
    from deepdream_torch import load_caffe
    from deepdream_torch.dreaming.dream import check_layer
    from deepdream_torch.dreaming.errors import DreamError
    from deepdream_torch.net.random_weights import write_random_caffemodel

    print("\nseconds to refuse 'prob' (a blob behind a fully connected layer), fresh nets, 1 thread")
    nets = {}
    nsfw = SHARED / "open_nsfw"
    if nsfw.is_dir():
        nets["open_nsfw (real weights)"] = (nsfw / "deploy.prototxt", next(nsfw.glob("*.caffemodel")))
    googlenet = SHARED / "bvlc_googlenet" / "deploy.prototxt"
    if googlenet.is_file():
        nets["bvlc_googlenet (random weights)"] = (googlenet, write_random_caffemodel(googlenet, root / "g.caffemodel"))
    if not nets:
        print("  ../shared/models is absent: skipped")
    for name, (prototxt, caffemodel) in nets.items():
        net = load_caffe(prototxt, caffemodel)
        began = time.perf_counter()
        try:
            check_layer(net, "prob")
            verdict = "accepted?!"
        except DreamError as error:
            verdict = str(error)
        seconds = time.perf_counter() - began
        print(f"  {name}: {seconds:.2f} s now: {verdict}")
        print(f"    the old search: {old_search_seconds(load_caffe(prototxt, caffemodel), 'prob', budget)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=60.0, help="seconds before the old search is stopped")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        listing_memory(Path(folder))
        refusal_seconds(args.budget, Path(folder))


if __name__ == "__main__":
    main()
