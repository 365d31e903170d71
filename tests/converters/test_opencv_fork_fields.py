"""Fork fields that change a net (rewritten by the reader into upstream terms) against OpenCV, which reads them
itself (DenseNet's `ceil_mode: false` pooling, Faster R-CNN's `scale_train: false` dropout), or in upstream's
terms (DeepLab's `hole` convolution as `dilation`)."""

from __future__ import annotations

from deepdream_torch.net.random_weights import write_random_caffemodel
from tests.converters.opencv_reference import (
    assert_matches_opencv,
    header,
    opencv_address,
    opencv_outputs,
    random_input,
    relative_error,
    run_ours,
)


def densenet_stem(ceil_mode: str) -> str:
    # DenseNet-121's published stem and first transition, as its fork writes them.
    pooling = f"ceil_mode: {ceil_mode}" if ceil_mode else ""
    return header(3, 224, 224) + (
        'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"\n'
        "  convolution_param { num_output: 4 bias_term: false pad: 3 kernel_size: 7 stride: 2 } }\n"
        'layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"\n'
        f"  pooling_param {{ pool: MAX kernel_size: 3 stride: 2 pad: 1 {pooling} }} }}\n"
        'layer { name: "conv2" type: "Convolution" bottom: "pool1" top: "conv2"\n'
        "  convolution_param { num_output: 4 kernel_size: 1 } }\n"
        'layer { name: "pool2" type: "Pooling" bottom: "conv2" top: "pool2"\n'
        f"  pooling_param {{ pool: AVE kernel_size: 2 stride: 2 {pooling} }} }}\n"
    )


def test_densenet_pooling_with_ceil_mode_false_has_the_models_own_sizes(tmp_path):
    ours = assert_matches_opencv(tmp_path, densenet_stem("false"), ["pool1", "pool2"], (1, 3, 224, 224))
    # floor((112 + 2 - 3) / 2) + 1 = 56, then 28: the sizes DenseNet was trained at (ceil gives 57 and 29).
    assert ours["pool1"].shape == (1, 4, 56, 56) and ours["pool2"].shape == (1, 4, 28, 28)


def test_pooling_with_ceil_mode_true_is_caffes_default(tmp_path):
    ours = assert_matches_opencv(tmp_path, densenet_stem("true"), ["pool1", "pool2"], (1, 3, 224, 224))
    assert ours["pool1"].shape == (1, 4, 57, 57) and ours["pool2"].shape == (1, 4, 29, 29)


def test_dropout_scaled_at_test_time_matches_opencv(tmp_path):
    prototxt = header(3, 9, 11) + (
        'layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"\n'
        "  convolution_param { num_output: 3 kernel_size: 3 } }\n"
        'layer { name: "drop" type: "Dropout" bottom: "conv" top: "drop"\n'
        "  dropout_param { dropout_ratio: 0.3 scale_train: false } }\n"
    )
    assert_matches_opencv(tmp_path, prototxt, ["conv", "drop"], (1, 3, 9, 11))


def test_deeplab_hole_convolution_matches_opencv_reading_it_as_dilation(tmp_path):
    """OpenCV does not know `hole`; the same weights under upstream's `dilation` are its reference."""
    body = (
        'layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"\n'
        "  convolution_param { num_output: 4 kernel_size: 3 pad: 2 %s } }\n"
    )
    hole = tmp_path / "hole.prototxt"
    hole.write_text(header(3, 17, 19) + body % "hole_h: 2 hole_w: 3")
    dilation = tmp_path / "dilation.prototxt"
    dilation.write_text(header(3, 17, 19) + body % "dilation: 2 dilation: 3")
    weights = write_random_caffemodel(dilation, tmp_path / "weights.caffemodel")
    x = random_input((1, 3, 17, 19))
    net, ours = run_ours(hole, weights, x, ["conv"])
    theirs = opencv_outputs(dilation, weights, x, {"conv": opencv_address(net, "conv")})
    # (17 + 4 - 5) + 1 = 17 rows, (19 + 4 - 7) + 1 = 17 columns: the dilated 5x7 window.
    assert ours["conv"].shape == theirs["conv"].shape == (1, 4, 17, 17)
    assert relative_error(ours["conv"], theirs["conv"]) < 1e-5
