"""Find the fields of a prototxt that our Caffe schema does not know, with their layer, line and place in the text.

protobuf's text parser either refuses the first unknown field or skips them all without saying where. The reader
needs more: which layer each one sits in (an unknown field in a layer type we cannot convert anyway is harmless,
one in a convolution is not) and the span to cut out before the strict parse. So this module walks the text once
with the schema's descriptors, the way protobuf's parser reads it: fields are ``name: value``, ``name { ... }``,
``name: { ... }``, ``name < ... >`` or ``name: [v, ...]``, optionally followed by ``,`` or ``;``. It checks only
the structure it must follow; values are left to protobuf's strict parse afterwards, which reports their errors
with line and column.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.ignored_fields import ignored_reason
from deepdream_torch.caffe.layer_types import V0_TYPE_NAMES, V1_TYPE_NAMES

# A real net nests a handful of blocks (net, layer, *_param, filler); hundreds mean the wrong file.
MAX_NESTING = 100

_TOKEN = re.compile(
    r"""(?P<space>(?:\s|\#[^\n]*)+)
      | (?P<word>[A-Za-z_][0-9A-Za-z_+-]*|(?:[0-9+-]|\.[0-9])[0-9A-Za-z_.+-]*)
      | (?P<string>"(?:[^"\n\\]|\\.)*"|'(?:[^'\n\\]|\\.)*')
      | (?P<open_string>["'])
      | (?P<mark>[{}<>\[\]:,;])""",
    re.VERBOSE,
)


class TextSyntaxError(CaffeFormatError):
    """The text breaks protobuf's text format; ``line`` and ``column`` count from 1."""

    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message, self.line, self.column = message, line, column


@dataclass
class LayerSite:
    """One ``layer {}`` or ``layers {}`` block: what the walk learnt of it."""

    list_name: str  # "layer" or "layers"
    index: int  # its index in that list
    line: int
    name: str = ""
    type: str = ""  # the current type name (V1 enums and V0 strings translated)


@dataclass(frozen=True)
class UnknownField:
    """A field the schema lacks, or a field it has set to an enum value it lacks (``bad_value``: a fork's value,
    such as ``engine: MKL2017`` or a loss normalisation of its own)."""

    path: tuple[str, ...]  # the enclosing fields inside the layer (or net), then the field's own name
    line: int
    column: int
    start: int  # the field's span in the text: name to the end of its value and separator
    end: int
    layer: LayerSite | None  # None: at the net's own level
    ignored_because: str | None  # why skipping it is safe, from ignored_fields.py; None: not known to be safe
    bad_value: bool = False

    @property
    def name(self) -> str:
        return self.path[-1]


@dataclass
class FieldScan:
    layers: list[LayerSite] = field(default_factory=list)
    unknown: list[UnknownField] = field(default_factory=list)


@dataclass
class _Token:
    kind: str
    text: str
    start: int


@dataclass
class _Frame:
    message: Descriptor
    close: str | None  # the token that ends the block; None at the top level
    path: tuple[str, ...]
    layer: LayerSite | None
    opened_at: int


class _Tokens:
    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.tokens: list[_Token] = []
        position = 0
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None:
                after_colon = bool(self.tokens) and self.tokens[-1].text == ":"
                hint = " (a text value such as a path goes in double quotes)" if after_colon else ""
                raise self.error(f"unexpected character {text[position]!r}{hint}", position)
            kind = match.lastgroup or ""
            if kind == "open_string":
                raise self.error("a string is missing its closing quote", position)
            if kind != "space":
                self.tokens.append(_Token(kind, match.group(), position))
            position = match.end()
        self.index = 0

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def error(self, message: str, offset: int) -> TextSyntaxError:
        line, column = self.position(offset)
        return TextSyntaxError(message, line, column)

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise self.error("the file ends in the middle of a field", len(self.text))
        self.index += 1
        return token

    def take_if(self, text: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "mark" and token.text == text:
            self.index += 1
            return True
        return False

    def end_of_previous(self) -> int:
        token = self.tokens[self.index - 1]
        return token.start + len(token.text)


def scan_fields(text: str) -> FieldScan:
    """Walk a prototxt against ``NetParameter``; raises ``TextSyntaxError`` where the structure is broken."""
    tokens = _Tokens(text)
    scan = FieldScan()
    counts = {"layer": 0, "layers": 0}
    stack = [_Frame(caffe_pb2.NetParameter.DESCRIPTOR, None, (), None, 0)]
    while True:
        frame = stack[-1]
        token = tokens.peek()
        if token is None:
            if frame.close is None:
                return scan
            line, _ = tokens.position(frame.opened_at)
            raise tokens.error(f"the block opened at line {line} is never closed (a '{frame.close}' is missing)",
                               len(text))
        if token.kind == "mark" and token.text in "}>":
            if token.text != frame.close:
                raise tokens.error(f"unexpected '{token.text}' (more blocks are closed than opened)", token.start)
            tokens.take()
            stack.pop()
            _take_separator(tokens)
            continue
        if token.kind != "word":
            raise tokens.error(f"expected a field name, found {token.text!r}", token.start)
        name_token = tokens.take()
        name = name_token.text
        descriptor = frame.message.fields_by_name.get(name)
        bad_value = descriptor is not None and _is_unknown_enum_value(tokens, descriptor)
        if descriptor is None or bad_value:
            scan.unknown.append(_skip_unknown(tokens, frame, name_token, bad_value, len(stack)))
            continue
        if descriptor.type == FieldDescriptor.TYPE_MESSAGE:
            tokens.take_if(":")
            opener = tokens.peek()
            if opener is None or opener.kind != "mark" or opener.text not in "{<":
                # `name: [ {...}, {...} ]` is legal protobuf, never seen in a prototxt: let protobuf judge it.
                _skip_value(tokens, len(stack))
                _take_separator(tokens)
                continue
            tokens.take()
            if len(stack) >= MAX_NESTING:
                raise tokens.error(_TOO_DEEP, opener.start)
            layer, path = frame.layer, frame.path + (name,)
            if frame.close is None and name in counts:  # a layer block: paths inside start from the layer
                line, _ = tokens.position(name_token.start)
                layer, path = LayerSite(name, counts[name], line), ()
                counts[name] += 1
                scan.layers.append(layer)
            close = "}" if opener.text == "{" else ">"
            stack.append(_Frame(descriptor.message_type, close, path, layer, opener.start))
            continue
        tokens.take_if(":")
        value_start = tokens.index
        _skip_value(tokens, len(stack))
        _take_separator(tokens)
        if frame.layer is not None and name in ("name", "type") and frame.path in ((), ("layer",)):
            _note_layer(frame.layer, name, tokens.tokens[value_start].text)


def _skip_unknown(tokens: _Tokens, frame: _Frame, name_token: _Token, bad_value: bool, depth: int) -> UnknownField:
    """Step over a field ``frame``'s message does not have (or an enum value its type does not have), and say
    where it stood."""
    _skip_value(tokens, depth)
    _take_separator(tokens)
    line, column = tokens.position(name_token.start)
    name = name_token.text
    return UnknownField(
        frame.path + (name,), line, column, name_token.start, tokens.end_of_previous(), frame.layer,
        ignored_reason(frame.message.name, name), bad_value,
    )


_TOO_DEEP = "blocks nested too deeply to be a Caffe network definition; is this the right file?"


def _note_layer(layer: LayerSite, name: str, value: str) -> None:
    # The V0 layer inside a V1 `layers` block names the layer and its type when the outer block does not.
    if name == "name" and not layer.name:
        layer.name = _unquote(value)
    elif name == "type" and not layer.type:
        if value[:1] in "\"'":
            raw = _unquote(value)
            layer.type = V0_TYPE_NAMES.get(raw, raw) if layer.list_name == "layers" else raw
        else:
            layer.type = V1_TYPE_NAMES.get(value, value)


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


def _is_unknown_enum_value(tokens: _Tokens, descriptor: FieldDescriptor) -> bool:
    """An enum field set to a name its enum lacks (a number is left to protobuf to judge)."""
    if descriptor.type != FieldDescriptor.TYPE_ENUM:
        return False
    after = tokens.index + (1 if tokens.peek() is not None and tokens.peek().text == ":" else 0)
    if after >= len(tokens.tokens) or tokens.tokens[after].kind != "word":
        return False
    value = tokens.tokens[after].text
    return value not in descriptor.enum_type.values_by_name and not value.lstrip("-").isdigit()


def _take_separator(tokens: _Tokens) -> None:
    if not tokens.take_if(","):
        tokens.take_if(";")


def _skip_value(tokens: _Tokens, depth: int) -> None:
    """Step over a field's value (after its name): a scalar, a block, or a bracketed list of either."""
    tokens.take_if(":")
    token = tokens.take()
    if token.kind == "mark" and token.text == "[":
        if tokens.take_if("]"):
            return
        while True:
            _skip_value_item(tokens, depth)
            if tokens.take_if("]"):
                return
            if not tokens.take_if(","):
                following = tokens.peek()
                raise tokens.error("expected ',' or ']' in a list of values",
                                   following.start if following else len(tokens.text))
    tokens.index -= 1
    _skip_value_item(tokens, depth)


def _skip_value_item(tokens: _Tokens, depth: int) -> None:
    token = tokens.take()
    if token.kind == "mark" and token.text in "{<":
        _skip_block(tokens, token, depth)
    elif token.kind == "string":
        while tokens.peek() is not None and tokens.peek().kind == "string":  # "a" "b" is one string
            tokens.take()
    elif token.kind != "word":
        raise tokens.error(f"expected a value, found {token.text!r}", token.start)


def _skip_block(tokens: _Tokens, opener: _Token, depth: int) -> None:
    closers = ["}" if opener.text == "{" else ">"]
    while closers:
        token = tokens.peek()
        if token is None:
            line, _ = tokens.position(opener.start)
            raise tokens.error(f"the block opened at line {line} is never closed (a '{closers[-1]}' is missing)",
                               len(tokens.text))
        tokens.take()
        if token.kind == "mark" and token.text in "{<":
            closers.append("}" if token.text == "{" else ">")
            if depth + len(closers) > MAX_NESTING:
                raise tokens.error(_TOO_DEEP, token.start)
        elif token.kind == "mark" and token.text in "}>":
            if token.text != closers[-1]:
                raise tokens.error(f"unexpected '{token.text}' (expected '{closers[-1]}')", token.start)
            closers.pop()
