"""Every file the project writes is whole or absent: each writer below is stopped by a file-size limit (RLIMIT_FSIZE
in a child process: root ignores permission bits, not this) and must leave the previous file as it was and no
temporary file beside it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from deepdream_torch.atomic import atomic_write

# One child process runs every writer (importing torch takes seconds on a busy machine); for each one it lowers
# its file-size limit to LIMIT bytes, makes the write fail, and reports what was raised.
CHILD = """
import json, resource, signal, sys
from pathlib import Path
import numpy as np

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit, write() fails with EFBIG instead of killing us
root = Path(sys.argv[1])
LIMIT = 64
rng = np.random.default_rng(0)
picture = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)

from tests.weights.tiny_net import tiny_model
prototxt, caffemodel = tiny_model(root / "model")

def frame(target):
    from deepdream_torch.video.images import write_image
    write_image(target, picture)

def single_picture(target):
    from deepdream_torch.picture.files import save_atomic
    save_atomic(picture, target)

def manifest(target):
    from deepdream_torch.video.manifest import record_settings
    record_settings(target.parent, {"layers": [f"layer_{n}" for n in range(100)]})

def sidecar(target):
    from deepdream_torch.weights.checksum import write_sidecar
    write_sidecar(caffemodel, "0" * 40)

def caffemodel_file(target):
    from deepdream_torch.caffe.write import write_caffemodel
    write_caffemodel(target, [("conv", "Convolution", [np.ones((4, 3, 3, 3)), np.ones(4)])])

def converted_weights(target):
    from deepdream_torch.cli.convert import convert_model
    convert_model(prototxt, caffemodel, target, None, None)

def onnx_export(target):
    from deepdream_torch.net.load import load_caffe
    from deepdream_torch.weights.onnx_export import export_onnx
    export_onnx(load_caffe(prototxt, caffemodel), target, "conv1", example_size=(20, 20))

def cache_entry(target):
    import os
    os.environ["DEEPDREAM_HOME"] = str(target)
    from deepdream_torch.weights.cache import convert_to_cache
    from deepdream_torch.weights.discovery import ModelFiles
    convert_to_cache(ModelFiles(prototxt, caffemodel), force=True)

report = {}
for name, target in json.loads(sys.argv[2]).items():
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, hard))
    try:
        globals()[name](Path(target))
        report[name] = "no error"
    except BaseException as error:
        report[name] = type(error).__name__
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
print(json.dumps(report))
"""

OLD = b"the file as a finished earlier run left it"


def test_a_write_stopped_by_a_file_size_limit_leaves_the_old_file_and_nothing_else(tmp_path: Path) -> None:
    targets = {
        "frame": "frames/dream_frame_00000001.jpg",
        "single_picture": "pictures/dream_p_L-conv1.png",
        "manifest": "manifest/deepdream_settings.json",
        "sidecar": "model/tiny.caffemodel.sha1",
        "caffemodel_file": "caffemodel/written.caffemodel",
        "converted_weights": "convert/tiny.safetensors",
        "onnx_export": "onnx/tiny.onnx",
    }
    for relative in targets.values():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
    for relative in targets.values():
        if not relative.startswith("model/"):
            (tmp_path / relative).write_bytes(OLD)
    paths = {name: str(tmp_path / relative) for name, relative in targets.items()}
    paths["cache_entry"] = str(tmp_path / "home")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), json.dumps(paths)],
        check=False,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
        timeout=300,
    )
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout.strip().splitlines()[-1])
    assert all(raised != "no error" for raised in report.values()), report  # each write did hit the limit

    for name, relative in targets.items():
        folder = (tmp_path / relative).parent
        if name == "sidecar":
            # The sidecar keeps whatever it held: nothing (tiny_model writes none) or a complete old one.
            assert sorted(p.name for p in folder.iterdir()) == ["deploy.prototxt", "tiny.caffemodel"], name
            continue
        assert sorted(p.name for p in folder.iterdir()) == [Path(relative).name], (name, report[name])
        assert (tmp_path / relative).read_bytes() == OLD, name
    assert list((tmp_path / "home" / "converted").iterdir()) == []  # no half cache entry


def test_atomic_write_keeps_the_target_suffix_and_cleans_up_after_an_exception(tmp_path: Path) -> None:
    target = tmp_path / "video.mp4"
    target.write_bytes(OLD)
    try:
        with atomic_write(target) as temporary:
            assert temporary.parent == tmp_path and temporary.suffix == ".mp4" and temporary.exists()
            temporary.write_bytes(b"half")
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert sorted(tmp_path.iterdir()) == [target] and target.read_bytes() == OLD
