"""Run a tiny Caffe net through deepdream-torch and through OpenCV's own Caffe importer, and compare blobs by name.

OpenCV's dnn module is an independent implementation of Caffe's layers, so agreeing with it is evidence we read
Caffe's numerics right rather than our own assumptions. Fusion is always off: with it on OpenCV folds BatchNorm,
Scale and ReLU into the layer before and ``forward(name)`` then returns the fused blob, not the named layer's.
Where OpenCV departs from Caffe (it lacks a parameter), tests compare against a numpy transcription of Caffe's
loops instead, through ``assert_matches_reference``.

Every comparison prints one ``CHECK`` line (visible with ``pytest -s``) and is kept in ``CHECKS``; the folder's
``conftest.py`` prints the worst error per layer type at the end of the session.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from deepdream_torch import load_caffe
from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.net.caffe_net import CaffeNet
from deepdream_torch.net.random_weights import write_random_caffemodel

TOLERANCE = 1e-4  # max |ours - reference| / max |reference|, per compared blob


@dataclass(frozen=True)
class Check:
    type: str  # the Caffe type of the layer that wrote the blob
    reference: str  # "opencv" or "numpy"
    name: str
    shape: tuple[int, ...]
    relative_error: float


CHECKS: list[Check] = []


def record(type_name: str, reference: str, name: str, shape: Sequence[int], error: float) -> None:
    CHECKS.append(Check(type_name, reference, name, tuple(shape), error))
    print(f"CHECK {type_name} vs {reference}: {name} {tuple(shape)} rel_err={error:.3e}")


def relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    scale = float(np.abs(reference).max())
    difference = float(np.abs(ours.astype(np.float64) - reference.astype(np.float64)).max())
    return difference / scale if scale > 0 else difference


def header(c: int, h: int, w: int, n: int = 1) -> str:
    """The ``input:`` header declaring the data blob's size (OpenCV takes the net's shapes from it)."""
    return f'input: "data"\ninput_shape {{ dim: {n} dim: {c} dim: {h} dim: {w} }}\n'


def legacy_header(c: int, h: int, w: int, n: int = 1) -> str:
    return f'input: "data"\ninput_dim: {n}\ninput_dim: {c}\ninput_dim: {h}\ninput_dim: {w}\n'


Blobs = dict[str, tuple[str, list[np.ndarray]]]  # layer name -> (its type, its parameter blobs)


def write_blobs(path: Path, layers: Blobs) -> Path:
    """A caffemodel holding exactly ``layers``, serialised by protobuf itself (not by our writer): for weights a
    test chooses, such as a BatchNorm scale factor of 0 or a 0-axis Scale blob."""
    net = caffe_pb2.NetParameter()
    for name, (type_name, arrays) in layers.items():
        layer = net.layer.add(name=name, type=type_name)
        for array in arrays:
            blob = layer.blobs.add()
            blob.shape.SetInParent()  # present even with no axes, as Caffe writes a 0-axis blob
            blob.shape.dim.extend(np.shape(array))
            blob.data.extend(np.asarray(array, dtype=np.float32).ravel().tolist())
    path.write_bytes(net.SerializeToString())
    return path


def write_net(
    folder: Path, prototxt: str, seed: int = 0, legacy: bool = False, blobs: Blobs | None = None
) -> tuple[Path, Path | None]:
    """Write ``prototxt`` and its weights (``blobs``, or random ones) into a fresh folder under ``folder``. A net
    without parameters gets no weights file (an empty caffemodel is refused as "not a caffemodel"); both sides
    then run the prototxt alone."""
    folder = Path(tempfile.mkdtemp(dir=folder))
    deploy = folder / "deploy.prototxt"
    deploy.write_text(prototxt)
    weights = folder / "weights.caffemodel"
    if blobs is not None:
        return deploy, write_blobs(weights, blobs)
    write_random_caffemodel(deploy, weights, seed=seed, legacy=legacy)
    return deploy, (weights if weights.stat().st_size else None)


def random_input(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    # The spread of a mean-subtracted 0-255 picture, so LRN and Power see realistic magnitudes.
    return np.random.default_rng(seed + 1000).normal(0.0, 40.0, size=tuple(shape)).astype(np.float32)


def run_ours(
    deploy: Path, weights: Path | None, x: np.ndarray, names: Sequence[str]
) -> tuple[CaffeNet, dict]:
    net = load_caffe(deploy, weights)
    with torch.no_grad():
        out = net(torch.from_numpy(x), outputs=list(names))
    return net, {name: blob.numpy() for name, blob in out.items()}


Address = tuple[tuple[str, ...], int]  # (names OpenCV may know the layer by, output index)


def opencv_address(net: CaffeNet, name: str) -> Address:
    """Where OpenCV keeps blob ``name``: it addresses outputs by layer and index, never by top name (a Slice's
    second top is output 1 of the Slice layer), and it registers a one-top layer under its top's name when the two
    differ (conv "conv" writing top "feat" is OpenCV's layer "feat")."""
    step = next((s for s in net.steps if s.layer == name), None)
    index = 0
    if step is None:
        step = next((s for s in net.steps if name in s.tops), None)
        if step is None:
            raise KeyError(f"{name!r} is no layer or top of the net")
        index = step.tops.index(name)
    return (step.layer, step.tops[0]), index


def layer_type(net: CaffeNet, name: str) -> str:
    (layer, _), _ = opencv_address(net, name)
    return next(step.type for step in net.steps if step.layer == layer)


def opencv_outputs(
    deploy: Path, weights: Path | None, x: np.ndarray, addresses: dict[str, Address]
) -> dict[str, np.ndarray]:
    cvnet = (
        cv2.dnn.readNetFromCaffe(str(deploy), str(weights))
        if weights
        else cv2.dnn.readNetFromCaffe(str(deploy))
    )
    cvnet.enableFusion(False)
    cvnet.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    known = set(cvnet.getLayerNames())
    by_layer: dict[str, list] = {}
    blobs = {}
    for name, (aliases, index) in addresses.items():
        layer = next((a for a in aliases if a in known), aliases[0])
        if layer not in by_layer:
            # One forward per layer, stopping there: OpenCV hands a blob's buffer on to later layers once its
            # readers have run (a Slice or Split top comes back overwritten), even when the blob was asked for.
            cvnet.setInput(x)
            by_layer[layer] = cvnet.forwardAndRetrieve([layer])[0]
        blobs[name] = np.asarray(by_layer[layer][index])
    return blobs


def caffemodel_blobs(path: Path) -> dict[str, list[np.ndarray]]:
    """Each layer's blobs, parsed by protobuf itself (not by our streaming reader)."""
    net = caffe_pb2.NetParameter.FromString(path.read_bytes())
    return {
        layer.name: [np.asarray(b.data, dtype=np.float64).reshape(tuple(b.shape.dim)) for b in layer.blobs]
        for layer in net.layer
    }


def _problems(net: CaffeNet, ours: dict, theirs: dict, reference: str) -> list[str]:
    problems = []
    for name, expected in theirs.items():
        kind, got = layer_type(net, name), ours[name]
        if got.shape != expected.shape:
            problems.append(f"{name} ({kind}): ours has shape {got.shape}, {reference} {expected.shape}")
            continue
        error = relative_error(got, expected)
        record(kind, reference, name, got.shape, error)
        if not error <= TOLERANCE:
            worst = np.unravel_index(np.abs(got - expected).argmax(), got.shape)
            problems.append(
                f"{name} ({kind}, shape {got.shape}): relative error {error:.3e} > {TOLERANCE:g}; worst at "
                f"{tuple(int(i) for i in worst)}: ours {got[worst]:.6g}, {reference} {expected[worst]:.6g}"
            )
    return problems


def assert_matches_opencv(
    folder: Path,
    prototxt: str,
    names: Sequence[str],
    input_shape: Sequence[int],
    seed: int = 0,
    legacy: bool = False,
    blobs: Blobs | None = None,
) -> dict[str, np.ndarray]:
    """Our blobs ``names`` agree with OpenCV's for ``prototxt`` with random (or the given) weights and a random
    input; returns ours."""
    deploy, weights = write_net(folder, prototxt, seed=seed, legacy=legacy, blobs=blobs)
    x = random_input(input_shape, seed)
    net, ours = run_ours(deploy, weights, x, names)
    theirs = opencv_outputs(deploy, weights, x, {n: opencv_address(net, n) for n in names})
    problems = _problems(net, ours, theirs, "OpenCV")
    assert not problems, f"disagrees with OpenCV for input {tuple(input_shape)}:\n  " + "\n  ".join(problems)
    return ours


def assert_matches_reference(
    folder: Path,
    prototxt: str,
    name: str,
    input_shape: Sequence[int],
    reference: Callable[[np.ndarray, dict[str, list[np.ndarray]]], np.ndarray],
    seed: int = 0,
    blobs: Blobs | None = None,
) -> dict[str, np.ndarray]:
    """Our blob ``name`` equals ``reference(x, weights)``, a numpy transcription of Caffe's computation (in float64)
    where ``weights`` maps each layer name to its blobs as stored in the caffemodel; returns ours."""
    deploy, weights_path = write_net(folder, prototxt, seed=seed, blobs=blobs)
    x = random_input(input_shape, seed)
    net, ours = run_ours(deploy, weights_path, x, [name])
    stored = {} if weights_path is None else caffemodel_blobs(weights_path)
    expected = np.asarray(reference(x.astype(np.float64), stored))
    problems = _problems(net, ours, {name: expected}, "numpy")
    assert not problems, f"disagrees with Caffe's formula for input {tuple(input_shape)}:\n  " + "\n  ".join(
        problems
    )
    return ours
