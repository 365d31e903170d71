"""Nets published only as train/test definitions, read as the deploy net a Caffe user writes from them by hand:
checked against the same model's published deploy.prototxt with the same weights (independently written files),
and refused in one line where the input is not a picture."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from deepdream_torch import dream, load_caffe
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.net.random_weights import write_random_caffemodel

ZOO = Path(__file__).parents[1] / "data" / "zoo"

PAIRS = {  # train/test definition → the same model's deploy definition, and its input size
    "squeezenet_v1.1": (ZOO / "squeezenet_v1.1_train_val.prototxt", ZOO / "squeezenet_v1.1_deploy.prototxt", 227),
    "places365_alexnet": (
        ZOO / "places365_alexnet_train_val.prototxt", ZOO / "places365_alexnet_deploy.prototxt", 227
    ),
}


@pytest.mark.parametrize("model", sorted(PAIRS))
def test_a_train_val_net_computes_what_its_deploy_net_does(model, tmp_path):
    train_val, deploy, side = PAIRS[model]
    weights = write_random_caffemodel(deploy, tmp_path / "w.caffemodel", seed=4, input_shape=(1, 3, side, side))
    ours = load_caffe(train_val, weights, input_shape=(1, 3, side, side))
    reference = load_caffe(deploy, weights, input_shape=(1, 3, side, side))
    assert ours.notes and ours.notes[0].startswith("train/test net: TEST phase; input 'data' from Data layer")
    assert "left out 'label'" in ours.notes[0] and "loss" in ours.notes[0]
    names = [name for name in ours.blob_names if name != "data"]
    assert set(names) <= set(reference.blob_names)
    x = torch.randn(1, 3, side, side) * 50
    with torch.no_grad():
        got, expected = ours(x, outputs=names), reference(x, outputs=names)
    for name in names:
        assert torch.equal(got[name], expected[name]), name


def test_the_input_size_comes_from_crop_size_or_else_from_the_caffemodel(tmp_path):
    train_val, deploy, _ = PAIRS["places365_alexnet"]
    weights = write_random_caffemodel(deploy, tmp_path / "w.caffemodel", seed=1, input_shape=(1, 3, 227, 227))
    net = load_caffe(train_val, weights)
    assert net.input_shape[:2] == (1, 3)
    # Any side whose fc6 input count matches the weights' is Caffe-correct; 227 is the model's own crop.
    assert load_caffe(deploy, weights, input_shape=net.input_shape).blob_shapes["fc6"] == (1, 4096)
    if "crop_size" in net.notes[0]:
        assert net.input_shape == (1, 3, 227, 227)


def test_lenet_takes_its_one_channel_and_size_from_the_caffemodel(tmp_path):
    prototxt = ZOO / "lenet_train_test.prototxt"
    weights = write_random_caffemodel(prototxt, tmp_path / "lenet.caffemodel", input_shape=(1, 1, 28, 28))
    net = load_caffe(prototxt, weights)
    assert net.input_shape[1] == 1 and net.blob_shapes["ip1"] == (1, 500)
    assert "to fit the caffemodel" in net.notes[0]


def test_googlenets_train_val_lists_its_blobs_and_dreams(tmp_path, shared):
    train_val = ZOO / "googlenet_train_val.prototxt"
    net = load_caffe(train_val, meta=True)
    assert "inception_4c/output" in net.listing and "loss1/loss" not in net.listing
    assert "loss1/conv" not in net.listing and "loss3/classifier" in net.listing  # aux branches go, as in deploy
    weights = write_random_caffemodel(shared / "models" / "bvlc_googlenet" / "deploy.prototxt", tmp_path / "g.caffemodel")
    net = load_caffe(train_val, weights, input_shape=(1, 3, 224, 224))
    picture = torch.randint(0, 255, (64, 80, 3), dtype=torch.uint8).numpy()
    out = dream(picture, net, layer="inception_3b/output", octaves=1, iterations=1, seed=0, device="cpu")
    assert out.shape == picture.shape


def test_a_net_whose_input_is_not_a_picture_is_refused_in_one_line():
    with pytest.raises(CaffeFormatError, match="not a picture net: its input 'data' .*InnerProduct layer 'fc1'") as e:
        load_caffe(ZOO / "hdf5_classification_train_val.prototxt")
    assert "\n" not in str(e.value)


def test_features_into_an_lstm_are_refused(tmp_path):
    prototxt = tmp_path / "captioner.prototxt"
    prototxt.write_text(
        'layer { name: "data" type: "DummyData" top: "features" top: "cont" '
        "dummy_data_param { shape { dim: 20 dim: 4096 } shape { dim: 20 dim: 1 } } }\n"
        'layer { name: "lstm" type: "LSTM" bottom: "features" bottom: "cont" top: "h" }\n'
    )
    with pytest.raises(CaffeFormatError, match="not a picture net") as e:
        load_caffe(prototxt)
    assert "\n" not in str(e.value)


V1_TRAIN_VAL = """name: "v1"
layers { name: "data" type: DATA top: "data" top: "label" include: { phase: TRAIN }
  data_param { source: "train_lmdb" batch_size: 64 } transform_param { crop_size: 40 mirror: true } }
layers { name: "data" type: DATA top: "data" top: "label" include: { phase: TEST }
  data_param { source: "val_lmdb" batch_size: 50 } transform_param { crop_size: 32 } }
layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1" blobs_lr: 1 blobs_lr: 2
  convolution_param { num_output: 8 kernel_size: 5 weight_filler { type: "gaussian" std: 0.01 } } }
layers { name: "relu1" type: RELU bottom: "conv1" top: "conv1" }
layers { name: "pool1" type: POOLING bottom: "conv1" top: "pool1" pooling_param { pool: AVE kernel_size: 28 } }
layers { name: "accuracy" type: ACCURACY bottom: "pool1" bottom: "label" top: "accuracy" include: { phase: TEST } }
layers { name: "loss" type: SOFTMAX_LOSS bottom: "pool1" bottom: "label" include: { phase: TRAIN } }
"""


def test_a_v1_train_val_takes_its_test_phase_crop_size(tmp_path):
    # The layout of Network in Network's published train_val: V1 layers, a DATA layer per phase, no deploy file.
    prototxt = tmp_path / "train_val.prototxt"
    prototxt.write_text(V1_TRAIN_VAL)
    net = load_caffe(prototxt, meta=True)
    assert net.input_shape == (1, 3, 32, 32)
    assert net.listing == ["data", "conv1", "relu1", "pool1"]
    assert net.blob_shapes["pool1"] == (1, 8, 1, 1)
    assert net.notes == [
        ("train/test net: TEST phase; input 'data' from Data layer 'data' (3×32×32 from crop_size); left out "
        "'label' and 1 layers of its loss/accuracy branches (accuracy)")
    ]


@pytest.mark.parametrize(
    ("data_layer", "shape"),
    [
        ('type: "DummyData" top: "data" dummy_data_param { shape { dim: 2 dim: 3 dim: 20 dim: 24 } }', (2, 3, 20, 24)),
        (('type: "MemoryData" top: "data" top: "label" '
         "memory_data_param { batch_size: 1 channels: 3 height: 30 width: 26 }"), (1, 3, 30, 26)),
        ('type: "ImageData" top: "data" top: "label" image_data_param { source: "l.txt" new_height: 33 new_width: 35 }',
         (1, 3, 33, 35)),
    ],
    ids=["DummyData", "MemoryData", "ImageData"],
)
def test_other_data_layers_give_their_picture_size(tmp_path, data_layer, shape):
    prototxt = tmp_path / "p.prototxt"
    prototxt.write_text(
        f'layer {{ name: "d" {data_layer} }}\n'
        'layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 3 } }\n'
    )
    assert load_caffe(prototxt, meta=True).input_shape == shape


def test_a_crop_size_net_takes_its_channel_count_from_the_caffemodel(tmp_path):
    prototxt = tmp_path / "train_val.prototxt"
    prototxt.write_text(V1_TRAIN_VAL)
    weights = write_random_caffemodel(prototxt, tmp_path / "gray.caffemodel", input_shape=(1, 1, 32, 32))
    assert load_caffe(prototxt, weights).input_shape == (1, 1, 32, 32)  # grey pictures, as MNIST-like nets read


def test_a_deploy_net_that_kept_its_data_layer_runs_from_its_declared_input(tmp_path):
    prototxt = tmp_path / "deploy.prototxt"
    prototxt.write_text(
        'input: "data" input_shape { dim: 1 dim: 3 dim: 20 dim: 20 }\n'
        'layer { name: "d" type: "Data" top: "data" top: "label" data_param { source: "lmdb" batch_size: 1 } }\n'
        'layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 3 } }\n'
        'layer { name: "acc" type: "Accuracy" bottom: "c" bottom: "label" top: "acc" }\n'
    )
    net = load_caffe(prototxt, meta=True)
    assert net.blob_shapes["c"] == (1, 2, 18, 18)
    # The label comes from the database only: what reads it is listed, unconverted, behind the data layer.
    assert (net.unconverted["acc"].layer, net.unconverted["acc"].type) == ("d", "Data")


def test_a_net_fed_by_a_python_data_layer_is_refused_naming_it(tmp_path):
    # Faster R-CNN's training nets read their pictures through Python code (roi_data_layer), which we cannot run.
    prototxt = tmp_path / "train.prototxt"
    prototxt.write_text(
        'layer { name: "input-data" type: "Python" top: "data" top: "im_info" '
        "python_param { module: 'roi_data_layer.layer' layer: 'RoIDataLayer' } }\n"
        'layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 3 } }\n'
    )
    with pytest.raises(CaffeFormatError, match="declares no input .*Python layer 'input-data'") as e:
        load_caffe(prototxt)
    assert "\n" not in str(e.value)
