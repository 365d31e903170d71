"""V0 nets (Caffe before 2014) come out as current `layer {}` blocks, the way Caffe's own upgrade turns them out:
type names, settings moved into their parameter messages, padding layers folded into the next convolution."""

from __future__ import annotations

import numpy as np
import pytest

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.caffemodel import read_caffemodel
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import net_spec
from deepdream_torch.caffe.prototxt import parse_prototxt

# In the style of Caffe's 2014 examples/imagenet_deploy.prototxt (single-quoted strings are protobuf too).
V0_NET = """name: 'CaffeNet'
input: 'data'
input_dim: 10 input_dim: 3 input_dim: 227 input_dim: 227
layers { layer { name: 'data' type: 'data' source: 'train-leveldb' meanfile: 'mean.binaryproto' batchsize: 256
                 cropsize: 227 mirror: true } top: 'd' top: 'label' }
layers { layer { name: 'conv1' type: 'conv' num_output: 96 kernelsize: 11 stride: 4
                 weight_filler { type: 'gaussian' std: 0.01 } bias_filler { type: 'constant' value: 0. }
                 blobs_lr: 1. blobs_lr: 2. weight_decay: 1. weight_decay: 0. }
         bottom: 'data' top: 'conv1' }
layers { layer { name: 'relu1' type: 'relu' } bottom: 'conv1' top: 'conv1' }
layers { layer { name: 'pool1' type: 'pool' pool: AVE kernelsize: 3 stride: 2 } bottom: 'conv1' top: 'pool1' }
layers { layer { name: 'norm1' type: 'lrn' local_size: 5 alpha: 0.0001 beta: 0.75 k: 2 } bottom: 'pool1'
         top: 'norm1' }
layers { layer { name: 'pad2' type: 'padding' pad: 2 } bottom: 'norm1' top: 'pad2' }
layers { layer { name: 'conv2' type: 'conv' num_output: 256 group: 2 kernelsize: 5 biasterm: false }
         bottom: 'pad2' top: 'conv2' }
layers { layer { name: 'fc6' type: 'innerproduct' num_output: 4096 } bottom: 'conv2' top: 'fc6' }
layers { layer { name: 'drop6' type: 'dropout' dropout_ratio: 0.4 } bottom: 'fc6' top: 'fc6' }
layers { layer { name: 'cat' type: 'concat' concat_dim: 1 } bottom: 'fc6' bottom: 'fc6' top: 'cat' }
layers { layer { name: 'relu_odd' type: 'relu' num_output: 3 } bottom: 'cat' top: 'cat' }
layers { layer { name: 'prob' type: 'softmax' } bottom: 'cat' top: 'prob' }
layers { layer { name: 'loss' type: 'softmax_loss' } bottom: 'fc6' bottom: 'label' }
"""


def layers_by_name(net: caffe_pb2.NetParameter) -> dict[str, caffe_pb2.LayerParameter]:
    return {layer.name: layer for layer in net.layer}


def test_v0_types_and_settings_move_to_their_current_homes():
    net = parse_prototxt(V0_NET)
    assert not net.layers and net.name == "CaffeNet" and list(net.input_dim) == [10, 3, 227, 227]
    layers = layers_by_name(net)
    assert [(layer.name, layer.type) for layer in net.layer] == [
        ("data", "Data"), ("conv1", "Convolution"), ("relu1", "ReLU"), ("pool1", "Pooling"), ("norm1", "LRN"),
        ("conv2", "Convolution"), ("fc6", "InnerProduct"), ("drop6", "Dropout"), ("cat", "Concat"),
        ("relu_odd", "ReLU"), ("prob", "Softmax"), ("loss", "SoftmaxWithLoss"),
    ]
    conv1 = layers["conv1"].convolution_param
    assert (conv1.num_output, list(conv1.kernel_size), list(conv1.stride), list(conv1.pad)) == (96, [11], [4], [])
    assert conv1.weight_filler.std == pytest.approx(0.01) and conv1.bias_term
    pool1 = layers["pool1"].pooling_param
    assert (pool1.pool, pool1.kernel_size, pool1.stride) == (caffe_pb2.PoolingParameter.AVE, 3, 2)
    lrn = layers["norm1"].lrn_param
    assert (lrn.local_size, lrn.k) == (5, 2) and lrn.alpha == pytest.approx(1e-4) and lrn.beta == 0.75
    assert layers["fc6"].inner_product_param.num_output == 4096
    assert layers["drop6"].dropout_param.dropout_ratio == pytest.approx(0.4)
    assert layers["cat"].concat_param.concat_dim == 1
    data = layers["data"]
    assert (data.data_param.source, data.data_param.batch_size) == ("train-leveldb", 256)
    assert (data.transform_param.crop_size, data.transform_param.mirror) == (227, True)
    assert data.transform_param.mean_file == "mean.binaryproto"
    assert list(data.top) == ["d", "label"]


def test_a_padding_layer_folds_into_the_convolution_that_reads_it():
    layers = layers_by_name(parse_prototxt(V0_NET))
    assert "pad2" not in layers
    conv2 = layers["conv2"]
    assert list(conv2.bottom) == ["norm1"] and list(conv2.top) == ["conv2"]
    param = conv2.convolution_param
    assert (list(param.pad), param.group, list(param.kernel_size), param.bias_term) == ([2], 2, [5], False)


def test_a_setting_that_does_not_apply_to_its_type_is_left_out_as_caffe_does():
    assert not layers_by_name(parse_prototxt(V0_NET))["relu_odd"].HasField("convolution_param")


def test_the_upgraded_net_runs_as_a_current_one():
    spec = net_spec(parse_prototxt(V0_NET))
    assert spec.inputs == {"data": (10, 3, 227, 227)}
    assert "loss" in [layer.name for layer in spec.layers]  # V0 has no phases: the loss layer stays, as in Caffe


@pytest.mark.parametrize(
    ("consumer", "message"),
    [
        ("layers { layer { name: 'r' type: 'relu' } bottom: 'p' top: 'r' }", "padding can only feed a convolution"),
        ("layers { layer { name: 'c' type: 'concat' } bottom: 'p' bottom: 'data' top: 'c' }", "only feed"),
        ("layers { layer { name: 'c' type: 'conv' num_output: 1 kernelsize: 1 } bottom: 'p' bottom: 'data' top: 'c' }",
         "folds only between layers of one input and output"),
    ],
)
def test_padding_that_caffe_cannot_fold_is_refused(consumer, message):
    text = "input: 'data'\nlayers { layer { name: 'pad' type: 'padding' pad: 1 } bottom: 'data' top: 'p' }\n" + consumer
    with pytest.raises(CaffeFormatError, match=f"v0.prototxt: padding layer 'pad' feeds layer .*{message}"):
        parse_prototxt(text, "v0.prototxt")


def test_v0_and_v1_layers_in_one_net_are_refused():
    text = "input: 'data'\nlayers { layer { name: 'r' type: 'relu' } bottom: 'data' top: 'r' }\n" \
           "layers { name: 's' type: SIGMOID bottom: 'r' top: 's' }\n"
    with pytest.raises(CaffeFormatError, match="mixes V0 layers"):
        parse_prototxt(text)


def test_a_v0_type_caffe_never_had_keeps_its_name_for_the_converter_to_refuse():
    text = "input: 'data'\nlayers { layer { name: 'x' type: 'fancy' } bottom: 'data' top: 'x' }\n"
    assert parse_prototxt(text).layer[0].type == "fancy"


def test_a_v0_caffemodel_gives_its_weights_by_layer_name_with_current_types(tmp_path):
    """Written by protobuf itself in the V0 layout: the weights live inside each V1 block's `layer` message."""
    conv_weight = np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2)
    fc_weight = np.linspace(-1, 1, 12, dtype=np.float32).reshape(1, 1, 4, 3)
    net = caffe_pb2.NetParameter(name="v0")
    for name, type_name, arrays in [
        ("conv1", "conv", [conv_weight, np.array([0.5, -0.5], dtype=np.float32).reshape(1, 1, 1, 2)]),
        ("pad2", "padding", []),
        ("fc", "innerproduct", [fc_weight]),
    ]:
        block = net.layers.add(bottom=["x"], top=[name])
        block.layer.name, block.layer.type = name, type_name
        block.layer.blobs_lr.extend([1.0, 2.0])
        for array in arrays:
            blob = block.layer.blobs.add(num=array.shape[0], channels=array.shape[1], height=array.shape[2],
                                         width=array.shape[3])
            blob.data.extend(array.ravel().tolist())
    path = tmp_path / "v0.caffemodel"
    path.write_bytes(net.SerializeToString())
    weights = read_caffemodel(path)
    assert list(weights) == ["conv1", "fc"]
    assert weights["conv1"].type == "Convolution" and weights["fc"].type == "InnerProduct"
    assert weights["conv1"].blobs[0].shape == (2, 3, 2, 2) and weights["conv1"].blobs[0].legacy
    np.testing.assert_array_equal(weights["conv1"].blobs[0].values, conv_weight.ravel())
    np.testing.assert_array_equal(weights["conv1"].blobs[1].values, [0.5, -0.5])
    np.testing.assert_array_equal(weights["fc"].blobs[0].values, fc_weight.ravel())
