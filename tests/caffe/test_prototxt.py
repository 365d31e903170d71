import pytest

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.net_spec import net_spec
from deepdream_torch.caffe.prototxt import parse_prototxt, read_prototxt

V1_NET = """
name: "old"
input: "data"
input_dim: 1 input_dim: 3 input_dim: 32 input_dim: 40
layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1"
         blobs_lr: 1 weight_decay: 1
         convolution_param { num_output: 4 kernel_size: 3 weight_filler { type: "gaussian" std: 0.01 } } }
layers { name: "relu1" type: RELU bottom: "conv1" top: "conv1" }
layers { name: "loss" type: SOFTMAX_LOSS bottom: "conv1" bottom: "label" top: "loss" include { phase: TRAIN } }
"""


def test_legacy_v1_net_with_input_dims_becomes_current_layer_types():
    spec = net_spec(parse_prototxt(V1_NET))
    assert spec.inputs == {"data": (1, 3, 32, 40)}
    assert [(layer.name, layer.type) for layer in spec.layers] == [("conv1", "Convolution"), ("relu1", "ReLU")]
    assert spec.layers[0].message.convolution_param.num_output == 4


def test_input_shape_blocks_and_input_layers_declare_inputs():
    with_shape = 'input: "data" input_shape { dim: 2 dim: 3 dim: 8 dim: 9 }\nlayer { name: "r" type: "ReLU" bottom: "data" top: "r" }'
    assert net_spec(parse_prototxt(with_shape)).inputs == {"data": (2, 3, 8, 9)}
    layer = 'layer { name: "in" type: "Input" top: "a" top: "b" input_param { shape { dim: 1 dim: 3 dim: 5 dim: 5 } } }'
    assert net_spec(parse_prototxt(layer)).inputs == {"a": (1, 3, 5, 5), "b": (1, 3, 5, 5)}


def test_train_only_layers_are_left_out_of_the_test_phase_net():
    text = """input: "data" input_dim: 1 input_dim: 1 input_dim: 4 input_dim: 4
    layer { name: "d" type: "Dropout" bottom: "data" top: "d" include { phase: TEST } }
    layer { name: "t" type: "Dropout" bottom: "data" top: "t" include { phase: TRAIN } }
    layer { name: "x" type: "Dropout" bottom: "data" top: "x" exclude { phase: TEST } }"""
    assert [layer.name for layer in net_spec(parse_prototxt(text)).layers] == ["d"]


def test_training_fields_of_the_schema_parse_and_leave_the_layer_as_it_is():
    text = 'input: "data" input_dim: 1 input_dim: 1 input_dim: 4 input_dim: 4\n' \
           'layer { name: "r" type: "ReLU" bottom: "data" top: "r" relu_param { engine: CUDNN } param { lr_mult: 0 } }'
    assert net_spec(parse_prototxt(text)).layers[0].type == "ReLU"


def test_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.prototxt"
    path.write_text('name: "x"\nlayer {\n  name: "a"\n  type: "ReLU"\n  bottom "data"\n}\n')
    with pytest.raises(CaffeFormatError, match=r"bad\.prototxt: syntax error at line 5"):
        read_prototxt(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no layers"),
        ('name: "only a name"', "no layers"),
        ('layer { name: "r" type: "ReLU" bottom: "data" top: "r" }', "declares no input"),
        ('input: "data" input_dim: 1 input_dim: 3\nlayer { name: "r" type: "ReLU" bottom: "data" top: "r" }',
         "need 4 `input_dim:`"),
    ],
)
def test_nets_that_cannot_run_are_refused_with_the_reason(text, message):
    with pytest.raises(CaffeFormatError, match=message):
        net_spec(parse_prototxt(text))


def test_missing_and_binary_files_are_clear_errors(tmp_path):
    with pytest.raises(CaffeFormatError, match="prototxt not found"):
        read_prototxt(tmp_path / "nope.prototxt")
    binary = tmp_path / "weights.prototxt"
    binary.write_bytes(bytes(range(256)))
    with pytest.raises(CaffeFormatError, match="cannot read prototxt"):
        read_prototxt(binary)
