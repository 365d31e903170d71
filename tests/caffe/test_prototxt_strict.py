"""A field outside Caffe's schema is one error naming it, its layer and its line, unless it is known to change
nothing at inference or sits in a layer of a type nobody converts; fork fields that change the net are rewritten."""

from __future__ import annotations

import pytest

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.ignored_fields import IGNORED_FIELDS, IGNORED_INSIDE
from deepdream_torch.caffe.layer_types import CHECKED_TYPES
from deepdream_torch.caffe.net_spec import net_spec
from deepdream_torch.caffe.prototxt import parse_prototxt

HEAD = 'input: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 8\ninput_dim: 8\n'


def test_an_unknown_field_in_a_layer_we_convert_names_field_layer_and_line():
    text = HEAD + (
        'layer {\n  name: "pool1"\n  type: "Pooling"\n  bottom: "data"\n  top: "pool1"\n'
        "  pooling_param {\n    pool: MAX\n    kernel_size: 2\n    ceil_mod: false\n  }\n}\n"
    )
    with pytest.raises(CaffeFormatError) as raised:
        parse_prototxt(text, "dense.prototxt")
    message = str(raised.value)
    assert message.startswith("dense.prototxt: line 14, column 5: layer 'pool1' (Pooling) has a field `ceil_mod`")
    assert "in pooling_param" in message and "did you mean `ceil_mode`?" in message
    assert "\n" not in message


def test_the_error_counts_the_other_unknown_fields_and_reports_the_first():
    text = HEAD + 'layer { name: "c" type: "Convolution" bottom: "data" top: "c"\n' \
                  "  convolution_param { num_output: 2 kernel_size: 1 quantize: 8 }\n  sparsity: 0.5 }\n"
    with pytest.raises(CaffeFormatError, match=r"line 7, column 52: .*`quantize`.*; 1 more unknown field follows$"):
        parse_prototxt(text)


def test_an_unknown_field_at_the_net_level_is_an_error():
    with pytest.raises(CaffeFormatError, match=r"line 6, column 1: the net has a field `profile`"):
        parse_prototxt(HEAD + "profile: true\nlayer { name: \"r\" type: \"ReLU\" bottom: \"data\" top: \"r\" }\n")


def test_an_unknown_field_in_a_v1_and_a_v0_layer_names_its_current_type():
    v1 = HEAD + 'layers { name: "p" type: POOLING bottom: "data" top: "p" pooling_param { kernel: 2 } }\n'
    with pytest.raises(CaffeFormatError, match=r"line 6, .*layer 'p' \(Pooling\) has a field `kernel` in pooling_param"):
        parse_prototxt(v1)
    v0 = HEAD + 'layers {\n  layer {\n    name: "c"\n    type: "conv"\n    numoutput: 2\n  }\n  bottom: "data"\n}\n'
    with pytest.raises(CaffeFormatError, match=r"line 10, column 5: layer 'c' \(Convolution\) has a field `numoutput`"
                                               r" that .*\(did you mean `num_output`\?\)$"):
        parse_prototxt(v0)


def test_a_fork_layer_type_keeps_its_unknown_fields_to_itself():
    """Part of a net we cannot convert must not stop the parts we can: the fork's layer is parsed without its
    unknown settings and is refused later only if a dream needs it."""
    text = HEAD + (
        'layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 '
        "kernel_size: 1 } }\n"
        'layer { name: "up" type: "Interp" bottom: "c" top: "up" interp_param { zoom_factor: 2 pad_beg: 0 } }\n'
        'layer { name: "bn" type: "BN" bottom: "up" top: "bn" bn_param { frozen: true slope_filler { value: 1 } } '
        "param { lr_mult: 0 } }\n"
    )
    spec = net_spec(parse_prototxt(text))
    assert [(layer.name, layer.type) for layer in spec.layers] == [
        ("c", "Convolution"), ("up", "Interp"), ("bn", "BN")]
    assert spec.layers[1].bottoms == ["c"] and spec.layers[2].tops == ["bn"]
    assert spec.layers[2].message.param[0].lr_mult == 0


def test_checked_types_widen_to_what_a_caller_converts():
    text = HEAD + 'layer { name: "up" type: "Interp" bottom: "data" top: "up" interp_param { zoom_factor: 2 } }\n'
    with pytest.raises(CaffeFormatError, match=r"layer 'up' \(Interp\) has a field `interp_param`"):
        parse_prototxt(text, checked_types=CHECKED_TYPES | {"Interp"})


def test_data_and_loss_layers_of_a_train_net_keep_fork_fields_to_themselves():
    text = HEAD + (
        'layer { name: "d" type: "Data" top: "x" data_param { source: "db" batch_size: 2 side: 13 } }\n'
        'layer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n'
        'layer { name: "loss" type: "SoftmaxWithLoss" bottom: "r" bottom: "label" loss_param { focal: 2 } }\n'
    )
    net = parse_prototxt(text)
    assert net.layer[0].data_param.batch_size == 2


def test_fields_known_not_to_matter_are_skipped_even_in_converted_layers():
    text = HEAD + (
        'layer { name: "c" type: "Convolution" bottom: "data" top: "c" engine: "MKL2017" multinode { num_nodes: 2 }\n'
        "  param { lr_mult: 1 decay_mult: 1 lr_policy_override: 3 }\n"
        '  convolution_param { num_output: 2 kernel_size: 3 engine: MKLDNN weight_filler { type: "msra" slope: 1 } } }\n'
    )
    layer = parse_prototxt(text).layer[0]
    assert layer.convolution_param.num_output == 2 and layer.convolution_param.kernel_size == [3]
    assert layer.convolution_param.engine == caffe_pb2.ConvolutionParameter.DEFAULT
    assert layer.convolution_param.weight_filler.type == "msra"


def test_a_known_enum_field_keeps_its_checked_values():
    text = HEAD + 'layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { pool: MEDIAN } }\n'
    with pytest.raises(CaffeFormatError, match=r"line 6, column \d+: MEDIAN is not a value of "
                                               r"PoolingParameter.PoolMethod \(it takes MAX, AVE, STOCHASTIC\)"):
        parse_prototxt(text)


def test_every_skipped_field_is_outside_the_schema_or_a_training_message():
    """The ignored list holds only what the schema lacks: a schema field there would never be checked."""
    assert set(IGNORED_INSIDE) <= set(caffe_pb2.DESCRIPTOR.message_types_by_name)
    layer_fields = set(caffe_pb2.LayerParameter.DESCRIPTOR.fields_by_name)
    assert not {"multinode", "mn_activation_param", "mn_grad_compress_param"} & layer_fields
    assert all(reason for reason in IGNORED_FIELDS.values())


def test_a_solver_file_is_named_as_one():
    with pytest.raises(CaffeFormatError, match=r"solver.prototxt: line 1, column 1: `net` is a solver setting"):
        parse_prototxt('net: "train_val.prototxt"\nbase_lr: 0.01\nlr_policy: "step"\n', "solver.prototxt")


def test_pooling_ceil_mode_becomes_round_mode():
    text = HEAD + (
        'layer { name: "f" type: "Pooling" bottom: "data" top: "f" pooling_param { kernel_size: 2 ceil_mode: false } }\n'
        'layer { name: "c" type: "Pooling" bottom: "data" top: "c" pooling_param { kernel_size: 2 ceil_mode: true } }\n'
        'layers { name: "v1" type: POOLING bottom: "data" top: "v1" pooling_param { kernel_size: 2 ceil_mode: false } }\n'
    ).replace("layers {", "layer {").replace("type: POOLING", 'type: "Pooling"')
    floor, ceil, third = (layer.pooling_param for layer in parse_prototxt(text).layer)
    assert floor.round_mode == caffe_pb2.PoolingParameter.FLOOR and not floor.HasField("ceil_mode")
    assert ceil.round_mode == caffe_pb2.PoolingParameter.CEIL and not ceil.HasField("ceil_mode")
    assert third.round_mode == caffe_pb2.PoolingParameter.FLOOR
    v1 = HEAD + 'layers { name: "p" type: POOLING bottom: "data" top: "p" pooling_param { kernel_size: 2 ceil_mode: false } }'
    assert parse_prototxt(v1).layers[0].pooling_param.round_mode == caffe_pb2.PoolingParameter.FLOOR


def test_ceil_mode_and_round_mode_that_disagree_are_refused():
    text = HEAD + 'layer { name: "p" type: "Pooling" pooling_param { ceil_mode: false round_mode: CEIL } }\n'
    with pytest.raises(CaffeFormatError, match=r"layer 'p': pooling_param says both ceil_mode: false and round_mode: CEIL"):
        parse_prototxt(text)


def test_dropout_that_scales_at_test_time_becomes_the_power_layer_it_is():
    text = HEAD + (
        'layer { name: "d" type: "Dropout" bottom: "data" top: "d" dropout_param { dropout_ratio: 0.25 '
        "scale_train: false } }\n"
        'layer { name: "k" type: "Dropout" bottom: "data" top: "k" dropout_param { scale_train: true } }\n'
    )
    scaled, kept = parse_prototxt(text).layer
    assert scaled.type == "Power" and not scaled.HasField("dropout_param")
    assert scaled.power_param.scale == pytest.approx(0.75) and scaled.power_param.power == 1
    assert scaled.power_param.shift == 0
    assert kept.type == "Dropout" and not kept.dropout_param.HasField("scale_train")


def test_an_unknown_field_in_a_net_level_block_says_which_block():
    text = 'input: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 layout: NCHW }\n' \
           'layer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n'
    with pytest.raises(CaffeFormatError, match=r"line 2, column 43: the net has a field `layout` in input_shape"):
        parse_prototxt(text)


def test_deeplab_hole_becomes_dilation():
    text = HEAD + (
        'layer { name: "a" type: "Convolution" convolution_param { num_output: 2 kernel_size: 3 hole: 2 } }\n'
        'layer { name: "b" type: "Convolution" convolution_param { num_output: 2 kernel_size: 3 hole_h: 2 hole_w: 3 } }\n'
    )
    first, second = (layer.convolution_param for layer in parse_prototxt(text).layer)
    assert list(first.dilation) == [2] and not first.HasField("hole")
    assert list(second.dilation) == [2, 3] and not second.HasField("hole_h") and not second.HasField("hole_w")
    both = HEAD + 'layer { name: "c" type: "Convolution" convolution_param { hole: 2 dilation: 2 } }\n'
    with pytest.raises(CaffeFormatError, match="layer 'c': convolution_param sets both hole and dilation"):
        parse_prototxt(both)


def test_nvidia_precision_fields_are_skipped_on_purpose():
    text = 'default_forward_type: FLOAT16\n' + HEAD + (
        'layer { name: "r" type: "ReLU" bottom: "data" top: "r" forward_type: FLOAT16 backward_math: FLOAT }\n'
    )
    assert parse_prototxt(text).layer[0].type == "ReLU"


def test_a_fork_enum_value_in_a_fork_layer_is_kept_to_that_layer():
    """R-FCN's published nets give their own loss layers a normalisation value upstream's enum lacks."""
    text = HEAD + (
        'layer { name: "r" type: "ReLU" bottom: "data" top: "r" }\n'
        'layer { name: "loss" type: "SmoothL1LossOHEM" bottom: "r" loss_param { normalization: PRE_FIXED '
        "pre_fixed_normalizer: 128 } }\n"
    )
    assert [layer.name for layer in parse_prototxt(text).layer] == ["r", "loss"]
    checked = text.replace("SmoothL1LossOHEM", "Softmax")
    with pytest.raises(CaffeFormatError, match=r"line 7, column \d+: PRE_FIXED is not a value of "
                                               r"LossParameter.NormalizationMode"):
        parse_prototxt(checked)
