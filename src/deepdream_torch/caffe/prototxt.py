"""Read a network definition (``deploy.prototxt``) with protobuf's text format and our Caffe schema subset."""

from __future__ import annotations

import re
from pathlib import Path

from google.protobuf import text_format

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError


def parse_prototxt(text: str, source: str = "<prototxt>") -> caffe_pb2.NetParameter:
    """Parse prototxt text; fields outside our schema subset (fillers, lr_mult, engines...) are skipped."""
    net = caffe_pb2.NetParameter()
    try:
        text_format.Parse(text, net, allow_unknown_field=True)
    except text_format.ParseError as exc:
        raise CaffeFormatError(f"{source}: {_describe_parse_error(exc)}") from None
    except RecursionError:
        # protobuf's text parser recurses once per nested `{`; a real net nests a few levels, never hundreds.
        raise CaffeFormatError(
            f"{source}: blocks nested too deeply to be a Caffe network definition; is this the right file?"
        ) from None
    if not net.layer and not net.layers:
        raise CaffeFormatError(f"{source}: no layers found; is this a Caffe network definition (deploy.prototxt)?")
    if net.layer and net.layers:
        raise CaffeFormatError(f"{source}: mixes `layer {{}}` and legacy `layers {{}}` blocks; use one format")
    return net


def read_prototxt(path: str | Path) -> caffe_pb2.NetParameter:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaffeFormatError(f"prototxt not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaffeFormatError(f"cannot read prototxt {path}: {exc}") from None
    return parse_prototxt(text, str(path))


def _describe_parse_error(exc: text_format.ParseError) -> str:
    line, column = exc.GetLine(), exc.GetColumn()
    message = str(exc)
    # protobuf prefixes "line:column : "; we say it in words instead.
    message = re.sub(r"^\d+:\d+ : ", "", message).strip()
    if line is not None:
        return f"syntax error at line {line}, column {column}: {message}"
    return f"syntax error: {message}"
