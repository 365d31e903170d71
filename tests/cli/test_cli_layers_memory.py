"""Listing a model's blobs (``deepdream layers``, mode 5, the listing after ``zoo get``) plans shapes on meta
tensors: a one-kilobyte prototxt declaring terabytes of weights is listed in a few hundred MiB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAD = 'name: "huge"\ninput: "data"\ninput_shape { dim: 1 dim: 3 dim: 224 dim: 224 }\n'
CONV = 'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 } }\n'
# (prototxt body, the blob and shape the listing must show); the weights each declares are in the comment
HUGE = {
    # 100000 x (8*222*222) floats: 147 GiB
    "fully connected": ((CONV + 'layer { name: "fc" type: "InnerProduct" bottom: "conv1" top: "fc" '
                         "inner_product_param { num_output: 100000 } }\n"), "fc", "100000"),
    # 1e9 x 3 x 3 x 3 floats: 100 GiB, and a 1e9 x 222 x 222 blob
    "convolution": (('layer { name: "wide" type: "Convolution" bottom: "data" top: "wide" '
                     "convolution_param { num_output: 1000000000 kernel_size: 3 } }\n"), "wide", "1000000000×222×222"),
}  # fmt: skip
LIMIT_MIB = 600  # importing torch alone takes about 220 MiB
CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))  # the old code's allocation fails instead of swapping
from deepdream_torch.cli.app import app
code = app(sys.argv[1:], standalone_mode=False)
# VmHWM, not getrusage: ru_maxrss is inherited from the parent across fork and exec (a big pytest process)
peak_kib = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"code": code, "peak_mib": peak_kib / 1024}))
"""


@pytest.mark.parametrize(("kind", "command"), [("fully connected", ["layers"]), ("convolution", ["--mode", "5"])])
def test_a_huge_prototxt_is_listed_without_allocating_weights(tmp_path: Path, kind: str, command: list[str]) -> None:
    body, blob, shape = HUGE[kind]
    folder = tmp_path / "models" / "huge"
    folder.mkdir(parents=True)
    (folder / "deploy.prototxt").write_text(HEAD + body)
    (folder / "huge.caffemodel").write_bytes(b"")  # never read: listing needs the prototxt only
    env = {**os.environ, "OMP_NUM_THREADS": "1", "DEEPDREAM_HOME": str(tmp_path / "home"),
           "DEEPDREAM_ZOO_MIRROR": "http://127.0.0.1:9", "COLUMNS": "200"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *command, "-p", str(folder), "-m", "huge.caffemodel"],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    assert result["code"] in (0, None), done.stdout
    listing = "\n".join(lines[:-1])
    assert blob in listing and shape in listing
    assert result["peak_mib"] < LIMIT_MIB, f"peak RSS {result['peak_mib']:.0f} MiB listing the {kind} prototxt"
