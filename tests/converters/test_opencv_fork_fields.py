"""Fork fields that change a net (rewritten by the reader into upstream terms) against OpenCV, which reads them
itself: DenseNet's `ceil_mode: false` pooling, and Faster R-CNN's `scale_train: false` dropout."""

from __future__ import annotations

from tests.converters.opencv_reference import assert_matches_opencv, header


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
