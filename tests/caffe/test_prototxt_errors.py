"""A file that is not valid protobuf text is refused in one line that says where: line and column, counted from 1,
for the breakages published prototxts have."""

from __future__ import annotations

import pytest

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.prototxt import parse_prototxt, read_prototxt

DATA_LAYER = """name: "net"
layer {
  name: "data"
  type: "Data"
  top: "data"
  data_param {
    source: "train_lmdb"
    batch_size: 64
  }
}
layer {
  name: "conv1"
  type: "Convolution"
  bottom: "data"
  top: "conv1"
  convolution_param { num_output: 8 kernel_size: 3 }
}
"""


@pytest.mark.parametrize(
    ("broken", "line", "column", "says"),
    [
        # A path written without quotes (seen in published train_val files).
        (DATA_LAYER.replace('"train_lmdb"', "/data/train_lmdb"), 7, 13, "double quotes"),
        # The same inside a fork layer whose fields are skipped: protobuf alone reports this one with no line.
        (DATA_LAYER.replace('type: "Data"', 'type: "FancyData"').replace('"train_lmdb"', "/data/x.txt"), 7, 13,
         "double quotes"),
        # A string missing its closing quote.
        (DATA_LAYER.replace('name: "conv1"', 'name: "conv1'), 12, 9, "missing its closing quote"),
        # A block never closed, and one closed twice.
        (DATA_LAYER.rstrip()[:-1], 17, 1, "block opened at line 11 is never closed"),
        (DATA_LAYER.replace("    batch_size: 64\n", "    batch_size: 64\n  }\n"), 11, 1, "more blocks are closed"),
        # An enum value the schema does not have (in a layer that is converted: a data layer's are its own).
        (DATA_LAYER.replace('  top: "conv1"\n', '  top: "conv1"\n  phase: TRAINING\n'), 16, 10,
         "TRAINING is not a value of Phase (it takes TRAIN, TEST)"),
        # A number where a whole number belongs, and a missing colon.
        (DATA_LAYER.replace("kernel_size: 3", "kernel_size: 3.5"), 16, 50, "Couldn't parse integer: 3.5"),
        (DATA_LAYER.replace('top: "conv1"', 'top "conv1"'), 15, 7, 'Expected ":"'),
    ],
    ids=["unquoted-path", "unquoted-path-in-fork-layer", "open-string", "unclosed-block", "extra-brace",
         "bad-enum", "float-for-int", "missing-colon"],
)
def test_broken_text_is_one_line_with_line_and_column(tmp_path, broken, line, column, says):
    path = tmp_path / "train_val.prototxt"
    path.write_text(broken)
    with pytest.raises(CaffeFormatError) as raised:
        read_prototxt(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: syntax error at line {line}, column {column}: "), message
    assert says in message
    assert "\n" not in message


def test_the_text_of_the_line_is_not_repeated_in_the_message():
    with pytest.raises(CaffeFormatError) as raised:
        parse_prototxt(DATA_LAYER.replace("batch_size: 64", "batch_size: many"), "x.prototxt")
    assert "batch_size: many'" not in str(raised.value) and "line 8, column 17" in str(raised.value)


def test_a_broken_line_before_an_unknown_field_is_reported_first():
    text = DATA_LAYER.replace("batch_size: 64", "batch_size: -1").replace("kernel_size: 3", "kernel_size: 3 kernal: 2")
    with pytest.raises(CaffeFormatError, match=r"syntax error at line 8, column 17"):
        parse_prototxt(text)
