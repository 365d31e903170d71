"""A prototxt nested deeper than Python's recursion allows is a CaffeFormatError, not a RecursionError."""

from __future__ import annotations

import time

import pytest

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.prototxt import parse_prototxt


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_blocks_nested_too_deep_are_one_format_error(depth: int) -> None:
    started = time.monotonic()
    with pytest.raises(CaffeFormatError, match="nested too deeply") as raised:
        parse_prototxt("layer {" * depth + "}" * depth, "deep.prototxt")
    assert str(raised.value).startswith("deep.prototxt: ")
    assert raised.value.__suppress_context__  # raised `from None`: no RecursionError traceback behind it
    assert time.monotonic() - started < 10


def test_the_nesting_of_a_real_net_parses() -> None:
    net = parse_prototxt(
        'layer { name: "c" type: "Convolution" top: "c" convolution_param { weight_filler { type: "xavier" } } }'
    )
    assert net.layer[0].name == "c"
