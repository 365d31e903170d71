"""OpenCV's Caffe importer as the independent reference for converted nets (fusion off: fused layers lie)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from google.protobuf import text_format

from deepdream_torch.caffe.prototxt import read_prototxt

cv2 = __import__("pytest").importorskip("cv2", reason="opencv-python-headless (a test extra) is not installed")


def opencv_outputs(prototxt: Path, caffemodel: Path, x: np.ndarray, names: Sequence[str]) -> dict[str, np.ndarray]:
    net = cv2.dnn.readNetFromCaffe(str(prototxt), str(caffemodel))
    net.enableFusion(False)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setInput(np.ascontiguousarray(x, dtype=np.float32))
    return dict(zip(names, net.forward(list(names))))


def relative_errors(ours: dict[str, torch.Tensor], reference: dict[str, np.ndarray]) -> dict[str, float]:
    """max |ours - reference| / max |reference| per name."""
    errors = {}
    for name, expected in reference.items():
        got = ours[name].detach().numpy().reshape(expected.shape)
        errors[name] = float(np.abs(got - expected).max() / max(np.abs(expected).max(), 1e-30))
    return errors


def truncated_prototxt(prototxt: Path, last_layer: str, input_hw: tuple[int, int], out: Path) -> Path:
    """The net up to ``last_layer`` with its input re-declared at ``input_hw``: OpenCV runs every layer of a file,
    and a classifier head cannot run at other sizes."""
    net = read_prototxt(prototxt)
    names = [layer.name for layer in net.layer]
    del net.layer[names.index(last_layer) + 1 :]
    for layer in net.layer:
        if layer.type == "Input":
            layer.input_param.shape[0].dim[:] = [1, layer.input_param.shape[0].dim[1], *input_hw]
    out.write_text(text_format.MessageToString(net))
    return out
