"""Layers that move values: Concat, Flatten, Reshape, Crop, Slice and Split, against OpenCV."""

from __future__ import annotations

import numpy as np
import pytest

from tests.converters.opencv_reference import assert_matches_opencv, assert_matches_reference, header

SIZES = [(16, 16), (13, 17)]


def conv(name: str, outputs: int, bottom: str = "data", params: str = "kernel_size: 3 pad: 1") -> str:
    return (
        f'layer {{ name: "{name}" type: "Convolution" bottom: "{bottom}" top: "{name}" '
        f"convolution_param {{ num_output: {outputs} {params} }} }}\n"
    )


def layer(name: str, type_name: str, bottoms: str, params: str = "", tops: str = "") -> str:
    bottom = " ".join(f'bottom: "{b}"' for b in bottoms.split())
    top = " ".join(f'top: "{t}"' for t in (tops or name).split())
    return f'layer {{ name: "{name}" type: "{type_name}" {bottom} {top} {params} }}\n'


CONCATS = {
    "channels, three bottoms": ("a b data", ""),
    "axis 2": ("a data", "concat_param { axis: 2 }"),
    "axis -1": ("a data", "concat_param { axis: -1 }"),
    "legacy concat_dim 1": ("a b", "concat_param { concat_dim: 1 }"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", CONCATS.values(), ids=CONCATS.keys())
def test_concat_matches_opencv(tmp_path, case, size):
    bottoms, params = case
    prototxt = header(4, *size) + conv("a", 4) + conv("b", 6) + layer("cat", "Concat", bottoms, params)
    assert_matches_opencv(tmp_path, prototxt, ["cat"], (1, 4, *size))


FLATTENS_AND_RESHAPES = {
    "Flatten": ("Flatten", ""),
    "Flatten from axis 2": ("Flatten", "flatten_param { axis: 2 }"),
    "Flatten axes 1-2": ("Flatten", "flatten_param { axis: 1 end_axis: 2 }"),
    "Reshape with 0 and -1": ("Reshape", "reshape_param { shape { dim: 0 dim: -1 dim: 2 } }"),
    "Reshape 0 in the middle": ("Reshape", "reshape_param { shape { dim: 0 dim: 2 dim: -1 dim: 0 } }"),
    "Reshape one axis of several": (
        "Reshape",
        "reshape_param { shape { dim: 2 dim: -1 } axis: 1 num_axes: 1 }",
    ),
    "Reshape from axis 1 on": ("Reshape", "reshape_param { shape { dim: 0 dim: 1 dim: -1 } axis: 1 }"),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", FLATTENS_AND_RESHAPES.values(), ids=FLATTENS_AND_RESHAPES.keys())
def test_flatten_and_reshape_match_opencv(tmp_path, case, size):
    type_name, params = case
    prototxt = header(4, *size) + conv("a", 6) + layer("r", type_name, "a", params)
    ours = assert_matches_opencv(tmp_path, prototxt, ["a", "r"], (1, 4, *size))
    np.testing.assert_array_equal(ours["r"].ravel(), ours["a"].ravel())  # moved, never recomputed


def test_reshape_inserting_an_axis_matches_caffe(tmp_path):
    # `num_axes: 0` inserts the new dims at `axis` without replacing any: (1, 4, 5, 7) -> (1, 1, 4, 5, 7). OpenCV
    # cannot run 5-D blobs through its Reshape, so numpy referees.
    prototxt = header(4, 5, 7) + layer(
        "r", "Reshape", "data", "reshape_param { shape { dim: 1 } axis: 0 num_axes: 0 }"
    )
    assert_matches_reference(tmp_path, prototxt, "r", (1, 4, 5, 7), lambda x, _: x.reshape(1, 1, 4, 5, 7))


def upsampled(size) -> str:
    # FCN's pattern: a stride-2 deconvolution overshoots, Crop cuts it back to the size of a reference blob.
    return header(4, *size) + layer(
        "up", "Deconvolution", "data", "convolution_param { num_output: 6 kernel_size: 4 stride: 2 }"
    )


CROPS = {
    "axis 2, offset per axis": "crop_param { axis: 2 offset: 3 offset: 5 }",
    "axis 2, one offset for both": "crop_param { axis: 2 offset: 2 }",
    "default axis and offset": "",
    "axis 1 (channels too)": "crop_param { axis: 1 offset: 1 offset: 2 offset: 3 }",
    "axis -2": "crop_param { axis: -2 offset: 1 offset: 4 }",
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("params", CROPS.values(), ids=CROPS.keys())
def test_crop_matches_opencv(tmp_path, params, size):
    ours = assert_matches_opencv(
        tmp_path, upsampled(size) + layer("crop", "Crop", "up data", params), ["up", "crop"], (1, 4, *size)
    )
    assert ours["crop"].shape[2:] == size


# (sliced axis, tops, params, whether 1x1 convolutions read the tops). OpenCV sizes an equal split by the tops
# later layers read, so that case needs readers.
SLICES = {
    "channels at 1 and 4": (1, "x1 x2 x3", "slice_param { axis: 1 slice_point: 1 slice_point: 4 }", True),
    "channels, equal thirds": (1, "x1 x2 x3", "slice_param { axis: 1 }", True),
    "height at 3": (2, "x1 x2", "slice_param { axis: 2 slice_point: 3 }", True),
    "width at 2 and 5": (3, "x1 x2 x3", "slice_param { axis: 3 slice_point: 2 slice_point: 5 }", True),
    "legacy slice_dim": (1, "x1 x2", "slice_param { slice_dim: 1 slice_point: 2 }", True),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", SLICES.values(), ids=SLICES.keys())
def test_slice_matches_opencv(tmp_path, case, size):
    axis, tops, params, read = case
    readers = [f"r{top}" for top in tops.split()] if read else []
    prototxt = (
        header(4, *size)
        + conv("a", 6)
        + layer("sl", "Slice", "a", params, tops)
        + "".join(conv(reader, 2, reader[1:], "kernel_size: 1") for reader in readers)
    )
    ours = assert_matches_opencv(tmp_path, prototxt, ["a", *tops.split(), *readers], (1, 4, *size))
    np.testing.assert_array_equal(np.concatenate([ours[t] for t in tops.split()], axis=axis), ours["a"])


@pytest.mark.parametrize("top, piece", [("x1", slice(0, 2)), ("x2", slice(2, 5)), ("x3", slice(5, None))])
def test_slice_along_a_negative_axis_matches_numpy(tmp_path, top, piece):
    # OpenCV 4.14 mis-sizes a Slice along axis -1 (every top comes out full width), so numpy referees.
    prototxt = header(3, 7, 9) + layer(
        "sl", "Slice", "data", "slice_param { axis: -1 slice_point: 2 slice_point: 5 }", "x1 x2 x3"
    )
    assert_matches_reference(tmp_path, prototxt, top, (1, 3, 7, 9), lambda x, _: x[..., piece])


def test_split_tops_match_opencv(tmp_path):
    # OpenCV only materialises the Split tops a later layer reads, so each top feeds a convolution.
    prototxt = (
        header(4, 13, 17)
        + conv("a", 6)
        + layer("sp", "Split", "a", tops="y1 y2 y3")
        + conv("u", 2, "y1")
        + conv("v", 3, "y2", "kernel_size: 1")
        + conv("w", 2, "y3", "kernel_size: 3 stride: 2")
    )
    ours = assert_matches_opencv(tmp_path, prototxt, ["a", "y1", "y2", "y3", "u", "v", "w"], (1, 4, 13, 17))
    for top in ("y1", "y2", "y3"):
        np.testing.assert_array_equal(ours[top], ours["a"])
