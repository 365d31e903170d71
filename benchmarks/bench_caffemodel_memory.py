"""Peak memory of reading a VGG-16-sized (~528 MB) caffemodel: our streamed reader vs protobuf's whole-file parse.

Each measurement runs in a fresh child process and reports its peak resident set (VmHWM from /proc: ru_maxrss would
carry over the parent's peak across exec); a child that only imports torch and numpy gives the floor to subtract. The model is VGG-16's deploy net with random weights, written
to a temporary folder (random weights: only sizes matter here).

    python benchmarks/bench_caffemodel_memory.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

VGG16_BLOCKS = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]


def vgg16_prototxt() -> str:
    lines = ['name: "VGG_ILSVRC_16_layers"', 'input: "data"', "input_dim: 1", "input_dim: 3", "input_dim: 224", "input_dim: 224"]
    bottom = "data"
    for block, (channels, convs) in enumerate(VGG16_BLOCKS, start=1):
        for index in range(1, convs + 1):
            name = f"conv{block}_{index}"
            lines.append(f'layer {{ name: "{name}" type: "Convolution" bottom: "{bottom}" top: "{name}" '
                         f"convolution_param {{ num_output: {channels} pad: 1 kernel_size: 3 }} }}")
            lines.append(f'layer {{ name: "relu{block}_{index}" type: "ReLU" bottom: "{name}" top: "{name}" }}')
            bottom = name
        lines.append(f'layer {{ name: "pool{block}" type: "Pooling" bottom: "{bottom}" top: "pool{block}" '
                     "pooling_param { pool: MAX kernel_size: 2 stride: 2 } }")
        bottom = f"pool{block}"
    for name, outputs in (("fc6", 4096), ("fc7", 4096), ("fc8", 1000)):
        lines.append(f'layer {{ name: "{name}" type: "InnerProduct" bottom: "{bottom}" top: "{name}" '
                     f"inner_product_param {{ num_output: {outputs} }} }}")
        bottom = name
    return "\n".join(lines) + "\n"


CHILD = {
    "floor": "import torch, numpy",
    "ours (load_caffe)": "from deepdream_torch import load_caffe; net = load_caffe(PROTOTXT, CAFFEMODEL)",
    "ours (read_caffemodel)": "from deepdream_torch.caffe.caffemodel import read_caffemodel; w = read_caffemodel(CAFFEMODEL)",
    "protobuf whole-file parse": (
        "import numpy as np, torch\n"
        "from deepdream_torch.caffe import caffe_pb2\n"
        "net = caffe_pb2.NetParameter.FromString(open(CAFFEMODEL, 'rb').read())\n"
        "w = {l.name: [torch.from_numpy(np.array(b.data, dtype=np.float32)) for b in l.blobs] for l in net.layer}"
    ),
}


def measure(code: str, prototxt: Path, caffemodel: Path) -> tuple[float, float]:
    script = (
        "import re, time\n"
        f"PROTOTXT, CAFFEMODEL = {str(prototxt)!r}, {str(caffemodel)!r}\n"
        "import numpy, torch  # every child pays for these, so the floor is the same for all\n"
        "start = time.perf_counter()\n"
        f"{code}\n"
        "elapsed = time.perf_counter() - start\n"
        "peak_kb = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
        "print(peak_kb / 1024, elapsed)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    from deepdream_torch.net.random_weights import write_random_caffemodel

    with tempfile.TemporaryDirectory() as folder:
        prototxt, caffemodel = Path(folder) / "vgg16.prototxt", Path(folder) / "vgg16.caffemodel"
        prototxt.write_text(vgg16_prototxt())
        start = time.perf_counter()
        write_random_caffemodel(prototxt, caffemodel, seed=0)
        size_mb = caffemodel.stat().st_size / 2**20
        print(f"VGG-16 caffemodel with random weights: {size_mb:.0f} MiB (written in {time.perf_counter() - start:.1f} s)")
        results = {name: measure(code, prototxt, caffemodel) for name, code in CHILD.items()}
    floor = results["floor"][0]
    print(f"{'reader':28s} {'peak RSS MiB':>12s} {'above floor':>12s} {'x file size':>11s} {'seconds':>8s}")
    for name, (peak, seconds) in results.items():
        above = peak - floor
        print(f"{name:28s} {peak:12.0f} {above:12.0f} {above / size_mb:11.2f} {seconds:8.2f}")
    ours = results["ours (load_caffe)"][0] - floor
    baseline = results["protobuf whole-file parse"][0] - floor
    print(f"peak memory above imports: ours / protobuf whole-file parse = {ours / baseline:.2f}")


if __name__ == "__main__":
    main()
