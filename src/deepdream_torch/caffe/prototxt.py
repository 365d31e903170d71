"""Read a network definition (``.prototxt``): strict against Caffe's schema, upgraded to the current format.

Every field is checked against caffe.proto (upstream Caffe plus the fork fields published nets use). A field the
schema lacks is one error naming it, its layer and its line, because a fork's field may change what a layer
computes (DenseNet's ``ceil_mode`` changes every blob's size) and skipping it would dream a different net. Two
kinds are skipped instead: fields known to change nothing at inference (ignored_fields.py), and any field inside a
layer whose type has no converter anyway (``checked_types`` says which types are checked), so a net whose later
layers come from a fork still lists its blobs and dreams the earlier ones. Then V0 nets are upgraded
(upgrade_v0.py) and fork fields rewritten into upstream terms (fork_fields.py), so converters see one format.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from pathlib import Path

from google.protobuf import text_format
from google.protobuf.descriptor import Descriptor

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.fork_fields import normalise_fork_fields
from deepdream_torch.caffe.layer_types import CHECKED_TYPES
from deepdream_torch.caffe.unknown_fields import TextSyntaxError, UnknownField, scan_fields
from deepdream_torch.caffe.upgrade_v0 import upgrade_v0


def parse_prototxt(
    text: str, source: str = "<prototxt>", checked_types: Collection[str] = CHECKED_TYPES
) -> caffe_pb2.NetParameter:
    """Parse prototxt text into a current-format NetParameter; ``source`` names the file in messages.

    ``checked_types``: the layer types in which a field outside the schema is an error (by default every type the
    schema describes in full, less data and loss layers; a caller that converts more types passes them too).
    """
    try:
        scan = scan_fields(text)
    except TextSyntaxError as error:
        raise CaffeFormatError(f"{source}: syntax error at line {error.line}, column {error.column}: "
                               f"{error.message}") from None

    def refuses(field: UnknownField) -> bool:
        return field.ignored_because is None and (field.layer is None or field.layer.type in checked_types)

    # A refused enum value stays in the text: protobuf's own message for it names the values the field takes.
    cut = [field for field in scan.unknown if not (field.bad_value and refuses(field))]
    refused = [field for field in scan.unknown if refuses(field) and not field.bad_value]
    net = caffe_pb2.NetParameter()
    parsed_text = _blank_out(text, cut)
    try:
        text_format.Parse(parsed_text, net)
    except text_format.ParseError as error:
        where = (error.GetLine(), error.GetColumn())
        if not refused or (where[0] is not None and where < (refused[0].line, refused[0].column)):
            raise CaffeFormatError(f"{source}: {_describe_parse_error(error, parsed_text)}") from None
    if refused:
        raise CaffeFormatError(f"{source}: {_describe_unknown(refused[0], len(refused) - 1)}")
    if not net.layer and not net.layers:
        raise CaffeFormatError(f"{source}: no layers found; is this a Caffe network definition (deploy.prototxt)?")
    if net.layer and net.layers:
        raise CaffeFormatError(f"{source}: mixes `layer {{}}` and legacy `layers {{}}` blocks; use one format")
    try:
        upgrade_v0(net)
        normalise_fork_fields(net)
    except CaffeFormatError as error:
        raise CaffeFormatError(f"{source}: {error}") from None
    return net


def read_prototxt(path: str | Path, checked_types: Collection[str] = CHECKED_TYPES) -> caffe_pb2.NetParameter:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaffeFormatError(f"prototxt not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaffeFormatError(f"cannot read prototxt {path}: {exc}") from None
    return parse_prototxt(text, str(path), checked_types)


def _blank_out(text: str, fields: list[UnknownField]) -> str:
    """The text with these fields replaced by spaces (line breaks kept), so every other line and column stays."""
    if not fields:
        return text
    pieces, position = [], 0
    for field in sorted(fields, key=lambda f: f.start):
        pieces.append(text[position : field.start])
        pieces.append(re.sub(r"[^\n]", " ", text[field.start : field.end]))
        position = field.end
    pieces.append(text[position:])
    return "".join(pieces)


def _describe_unknown(field: UnknownField, others: int) -> str:
    where = f"line {field.line}, column {field.column}"
    enclosing = field.path[:-1]
    if field.layer is not None and field.layer.list_name == "layers" and enclosing[:1] == ("layer",):
        enclosing = enclosing[1:]  # a V0 layer's settings sit in its inner `layer {}`
    inside = f" in {'.'.join(enclosing)}" if enclosing else ""
    if field.layer is None:
        solver = caffe_pb2.SolverParameter.DESCRIPTOR.fields_by_name
        if len(field.path) == 1 and field.name in solver:
            return (f"{where}: `{field.name}` is a solver setting: this is a solver definition (solver.prototxt), "
                    f"not a network; give the net's prototxt (the solver's `net:` line names it)")
        owner = "the net"
    else:
        owner = f"layer {field.layer.name!r} ({field.layer.type or 'no type'})"
    hint = _closest(field)
    more = f"; {others} more unknown field{'s follow' if others > 1 else ' follows'}" if others else ""
    return (f"{where}: {owner} has a field `{field.name}`{inside} that is in neither Caffe's schema nor a fork's "
            f"we know, and it may change what the net computes{hint}{more}")


def _closest(field: UnknownField) -> str:
    message = _message_at(field)
    if message is None:
        return ""
    close = difflib.get_close_matches(field.name, list(message.fields_by_name), n=1, cutoff=0.75)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _message_at(field: UnknownField) -> Descriptor | None:
    if field.layer is None:
        message = caffe_pb2.NetParameter.DESCRIPTOR
    elif field.layer.list_name == "layer":
        message = caffe_pb2.LayerParameter.DESCRIPTOR
    else:
        message = caffe_pb2.V1LayerParameter.DESCRIPTOR
    for name in field.path[:-1]:
        inner = message.fields_by_name.get(name)
        if inner is None or inner.message_type is None:
            return None
        message = inner.message_type
    return message


def _describe_parse_error(exc: text_format.ParseError, text: str) -> str:
    line, column = exc.GetLine(), exc.GetColumn()
    message = re.sub(r"^\d+:\d+ : ", "", str(exc)).strip()
    if line is not None:
        # protobuf quotes the whole line first; the line number says where, and the message stays one line.
        quoted = "'" + text.splitlines()[line - 1] + "': " if 0 < line <= len(text.splitlines()) else ""
        if quoted and message.startswith(quoted):
            message = message[len(quoted) :]
    message = _plain_words(message)
    if line is not None:
        return f"syntax error at line {line}, column {column}: {message}"
    return f"syntax error: {message}"


def _plain_words(message: str) -> str:
    message = message.replace(f"{caffe_pb2.DESCRIPTOR.package}.", "")
    enum = re.match(r'Enum type "([\w.]+)" has no value named (\S+?)\.?$', message)
    if enum:
        values = _enum_values(enum.group(1))
        listed = f" (it takes {', '.join(values)})" if values else ""
        return f"{enum.group(2)} is not a value of {enum.group(1)}{listed}"
    if message.startswith("Expected string but found"):
        return message + " (a text value such as a path goes in double quotes)"
    return message


def _enum_values(name: str) -> list[str]:
    message_name, _, enum_name = name.rpartition(".")
    if not message_name:
        enum = caffe_pb2.DESCRIPTOR.enum_types_by_name.get(enum_name)
    else:
        message = caffe_pb2.DESCRIPTOR.message_types_by_name.get(message_name)
        enum = message.enum_types_by_name.get(enum_name) if message is not None else None
    return [value.name for value in enum.values] if enum is not None else []
