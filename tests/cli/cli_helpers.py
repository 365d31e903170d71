"""Helpers the CLI tests share: tiny random-weight models named like the real ones, pictures, a runner."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner, Result

from deepdream_torch.cli.app import app
from deepdream_torch.cli.sample import sample_frames
from deepdream_torch.net.random_weights import write_random_caffemodel
from deepdream_torch.weights.checksum import file_sha1

# The layer names of the original README's commands, on nets small enough to dream in a blink.
GOOGLENET_LIKE = [(name, "conv") for name in (
    "inception_4c/output", "inception_4d/output", "inception_4e/output", "inception_5a/output", "inception_5b/output",
)]  # fmt: skip
PLACES_LIKE = [
    ("conv1", "conv"), ("pool1", "pool"), ("norm1", "norm"), ("conv2", "conv"), ("pool2", "pool"),
    ("norm2", "norm"), ("conv3", "conv"), ("conv4", "conv"), ("conv5", "conv"), ("pool5", "pool"),
]  # fmt: skip
CLIP_FRAMES = 6
CLIP_SIZE = (64, 48)
BVLC_GOOGLENET_SHA1 = "405fc5acd08a3bb12de8ee5e23a96bec22f08204"  # the zoo's published sha1


def isolate(folder: Path, monkeypatch, *unset: str) -> Path:
    """Run in ``folder``: data/ relative to it, models under models/, the store under home/, the zoo mirror a
    closed local port (no test reaches the network), and the variables ``unset`` (plus the frame folders') unset."""
    monkeypatch.chdir(folder)
    monkeypatch.setenv("DEEPDREAM_HOME", str(folder / "home"))
    monkeypatch.setenv("DEEPDREAM_MODELS", str(folder))
    monkeypatch.setenv("DEEPDREAM_ZOO_MIRROR", "http://127.0.0.1:9")
    for name in ("DEEPDREAM_INPUT", "DEEPDREAM_OUTPUT", *unset):
        monkeypatch.delenv(name, raising=False)
    return folder


def tiny_prototxt(layers: Sequence[tuple[str, str]], height: int = 48, width: int = 64) -> str:
    """A chain of small layers (``conv``, ``pool``, ``norm``) named as given, each reading the previous one."""
    lines = ['name: "tiny"', 'input: "data"', f"input_shape {{ dim: 1 dim: 3 dim: {height} dim: {width} }}"]
    bottom = "data"
    for name, kind in layers:
        head = f'layer {{ name: "{name}" bottom: "{bottom}" top: "{name}"'
        if kind == "conv":
            lines.append(f'{head} type: "Convolution" convolution_param {{ num_output: 6 kernel_size: 3 pad: 1 }} }}')
            lines.append(f'layer {{ name: "{name}_relu" type: "ReLU" bottom: "{name}" top: "{name}" }}')
        elif kind == "pool":
            lines.append(f'{head} type: "Pooling" pooling_param {{ pool: MAX kernel_size: 2 stride: 2 }} }}')
        else:
            lines.append(f'{head} type: "LRN" lrn_param {{ local_size: 3 alpha: 0.0001 beta: 0.75 }} }}')
        bottom = name
    return "\n".join(lines) + "\n"


def write_model(folder: Path, caffemodel: str, layers: Sequence[tuple[str, str]], seed: int = 0) -> Path:
    """A model folder: ``deploy.prototxt`` of ``layers`` and random weights as ``caffemodel``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "deploy.prototxt").write_text(tiny_prototxt(layers))
    write_random_caffemodel(folder / "deploy.prototxt", folder / caffemodel, seed=seed)
    return folder


def write_picture(path: Path, width: int = 64, height: int = 36) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sample_frames(width, height, 3)[1]).save(path)
    return path


def run(*args: str, input: str | None = None) -> Result:
    """``deepdream ARGS`` in this process, output captured."""
    return CliRunner().invoke(app, list(args), input=input)


def one_line_error(result: Result) -> str:
    """The single line a failed command printed; fails the test if it printed more or a traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def decoded_frames(video: Path) -> np.ndarray:
    import av

    with av.open(str(video)) as container:
        return np.stack([frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)])


def serve_gist_model(mirror: Path, model: str, layers: list[tuple[str, str]], sha1: str | None = None) -> None:
    """Put a model where DEEPDREAM_ZOO_MIRROR serves it: the gist's zip (deploy.prototxt and a readme with the
    caffemodel's sha1, as zoo gists publish it) and the caffemodel."""
    folder = write_model(mirror / model, f"{model}.caffemodel", layers)
    readme = f"---\nname: {model}\nsha1: {sha1 or file_sha1(folder / f'{model}.caffemodel')}\n---\n"
    with zipfile.ZipFile(folder / "gist.zip", "w") as gist:
        gist.write(folder / "deploy.prototxt", f"{model}-gist/deploy.prototxt")
        gist.writestr(f"{model}-gist/readme.md", readme)
