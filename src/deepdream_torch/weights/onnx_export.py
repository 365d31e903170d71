"""A converted net, up to one blob, as an ONNX file whose input height and width are free."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch
from torch import nn

from deepdream_torch.atomic import atomic_write
from deepdream_torch.weights.errors import ZooError

INPUT_NAME = "data"
OPSET = 17


class UntilBlob(nn.Module):
    """The net run up to one blob, returning that blob alone (ONNX graphs have fixed outputs)."""

    def __init__(self, net: nn.Module, blob: str) -> None:
        super().__init__()
        self.net = net
        self.blob = blob

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x, outputs=[self.blob])[self.blob]


def export_onnx(
    net: nn.Module, path: str | os.PathLike[str], until_blob: str, example_size: tuple[int, int] = (224, 224)
) -> Path:
    """Write `net` up to `until_blob` as ONNX: input `data` (1, C, height, width), output named after the blob.

    Written atomically (a temporary file renamed into place): an export that fails leaves no half file.
    Height and width are dynamic; `example_size` is only the size the export traces with, so pick one at which
    every layer up to the blob is valid (e.g. the prototxt's own input size).
    """
    blob_names = getattr(net, "blob_names", None)
    if blob_names is not None and until_blob not in blob_names:
        raise ZooError(
            f"the net has no blob {until_blob!r}; its blobs include {', '.join(list(blob_names)[:8])}"
        )
    channels = _input_channels(net)
    wrapper = UntilBlob(net, until_blob).eval()
    example = torch.zeros(1, channels, *example_size)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as temporary, warnings.catch_warnings():
        # The TorchScript-based exporter is deprecated, but the torch.export-based one needs the optional
        # onnxscript package; the TorchScript one handles every layer type we convert.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            wrapper,
            (example,),
            str(temporary),
            dynamo=False,
            input_names=[INPUT_NAME],
            output_names=[until_blob],
            dynamic_axes={
                INPUT_NAME: {2: "height", 3: "width"},
                until_blob: {2: "out_height", 3: "out_width"},
            },
            opset_version=OPSET,
        )
    return path


def _input_channels(net: nn.Module) -> int:
    shape = getattr(net, "input_shape", None)
    return int(shape[1]) if shape is not None and len(shape) == 4 else 3
