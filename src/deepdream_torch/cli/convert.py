"""``deepdream convert``: a Caffe model's weights as safetensors, and/or its net up to one blob as ONNX."""

from __future__ import annotations

import os
from pathlib import Path

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.errors import CliError


def convert_model(
    prototxt: Path, caffemodel: Path, output: Path | None, onnx: Path | None, until: str | None
) -> None:
    """Convert once and write what was asked for; prints each path written."""
    if output is None and onnx is None:
        raise CliError("nothing to write: give -o OUT.safetensors and/or --onnx OUT.onnx --until BLOB")
    if onnx is not None and until is None:
        raise CliError("--onnx needs --until BLOB: the blob the graph ends at (see `deepdream layers`)")

    from deepdream_torch.atomic import atomic_write
    from deepdream_torch.net.load import load_caffe
    from deepdream_torch.safe_paths import refuse_overwrite
    from deepdream_torch.weights.cache import save_tensors
    from deepdream_torch.weights.onnx_export import export_onnx

    inputs = {"prototxt": prototxt, "caffemodel": caffemodel}
    refuse_overwrite([path for path in (output, onnx) if path is not None], inputs, error=CliError)
    if output is not None and onnx is not None and output.resolve() == onnx.resolve():
        raise CliError(f"-o and --onnx are both {output}: give the two files different names")
    net = load_caffe(prototxt, caffemodel)
    out = consoles.out()
    if until is not None:
        net.check_blob(until)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        # safetensors refuses views and shared storage; plain copies are always accepted.
        tensors = {key: value.detach().contiguous().clone() for key, value in net.state_dict().items()}
        metadata = {"prototxt": prototxt.name, "caffemodel": caffemodel.name}
        with atomic_write(output) as temporary:
            save_tensors(tensors, temporary, metadata, output)
            # safetensors leaves its file 0600 whatever was there: give it the mode a new file gets (the umask).
            os.chmod(temporary, new_file_mode())
        out.print(f"weights: {output} ({len(tensors)} tensors)")
    if onnx is not None:
        assert until is not None
        height, width = net.input_shape[2:]
        export_onnx(net, onnx, until, example_size=(height, width))
        out.print(f"onnx: {onnx} (input 'data', output {until!r})")


def new_file_mode() -> int:
    """The permission bits ``open(path, "w")`` gives a new file: 0o666 less the process's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
