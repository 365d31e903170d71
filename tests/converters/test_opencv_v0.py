"""A V0 net (the 2014 format: `layers { layer { type: "conv" kernelsize ... } }`, padding layers, its weights in a
V0 caffemodel) against OpenCV, which upgrades V0 network definitions itself.

OpenCV (4.14) finds no weights in a V0 caffemodel, so it reads the same values from a V1 caffemodel made from the
V0 one by protobuf; ours reads the V0 file (and the V1 one, to the same numbers)."""

from __future__ import annotations

import numpy as np

from deepdream_torch.caffe import caffe_pb2
from tests.converters.opencv_reference import (
    opencv_address,
    opencv_outputs,
    random_input,
    relative_error,
    run_ours,
)

TOLERANCE = 1e-5


def v0(name: str, type_name: str, bottom: str, top: str = "", settings: str = "") -> str:
    return f'layers {{\n  layer {{\n    name: "{name}"\n    type: "{type_name}"\n    {settings}\n  }}\n' \
           f'  bottom: "{bottom}"\n  top: "{top or name}"\n}}\n'


# A CaffeNet in miniature, written the way Caffe's 2014 examples were: padding layers before padded convolutions,
# training fields the deploy run ignores, and no phases.
PROTOTXT = (
    'name: "tiny-v0"\ninput: "data"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 23\ninput_dim: 27\n'
    + v0("conv1", "conv", "data", settings="num_output: 8 kernelsize: 5 stride: 2 blobs_lr: 1. blobs_lr: 2. "
         'weight_filler { type: "gaussian" std: 0.01 }')
    + v0("relu1", "relu", "conv1", "conv1")
    + v0("pool1", "pool", "conv1", settings="pool: MAX kernelsize: 3 stride: 2")
    + v0("norm1", "lrn", "pool1", settings="local_size: 3 alpha: 0.001 beta: 0.75")
    + v0("pad2", "padding", "norm1", settings="pad: 2")
    + v0("conv2", "conv", "pad2", settings="num_output: 6 group: 2 kernelsize: 3")
    + v0("relu2", "relu", "conv2", "conv2")
    + v0("pool2", "pool", "conv2", settings="pool: AVE kernelsize: 3 stride: 2 pad: 1")
    + v0("fc6", "innerproduct", "pool2", settings="num_output: 10")
    + v0("relu6", "relu", "fc6", "fc6")
    + v0("drop6", "dropout", "fc6", "fc6", settings="dropout_ratio: 0.5")
    + v0("fc7", "innerproduct", "fc6", settings="num_output: 5 biasterm: false")
    + v0("prob", "softmax", "fc7")
)

# Parameter blobs in V0's 4-D (num, channels, height, width) layout, worked out by hand from the sizes above:
# conv1 23x27 -> 10x12, pool1 -> 5x6, conv2 on the padded 9x10 -> 7x8, pool2 (pad 1) -> 4x5, so fc6 reads 6*4*5.
PARAMETER_SHAPES = {
    "conv1": ("conv", [(8, 3, 5, 5), (1, 1, 1, 8)]),
    "conv2": ("conv", [(6, 4, 3, 3), (1, 1, 1, 6)]),
    "fc6": ("innerproduct", [(1, 1, 10, 120), (1, 1, 1, 10)]),
    "fc7": ("innerproduct", [(1, 1, 5, 10)]),
}
NAMES = ["conv1", "pool1", "norm1", "conv2", "pool2", "fc6", "drop6", "fc7", "prob"]


def write_v0_caffemodel(path, seed: int = 0):
    rng = np.random.default_rng(seed)
    net = caffe_pb2.NetParameter(name="tiny-v0")
    for name, (type_name, shapes) in PARAMETER_SHAPES.items():
        block = net.layers.add()
        block.layer.name, block.layer.type = name, type_name
        for shape in shapes:
            fan_in = int(np.prod(shape[1:])) if shape[0] > 1 else shape[-1]
            values = rng.standard_normal(shape).astype(np.float32) * np.float32(np.sqrt(2.0 / fan_in))
            blob = block.layer.blobs.add(num=shape[0], channels=shape[1], height=shape[2], width=shape[3])
            blob.data.extend(values.ravel().tolist())
    path.write_bytes(net.SerializeToString())
    return path


def as_v1_caffemodel(v0_path, path):
    v0_net = caffe_pb2.NetParameter.FromString(v0_path.read_bytes())
    v1_net = caffe_pb2.NetParameter(name=v0_net.name)
    v1_types = {"conv": caffe_pb2.V1LayerParameter.CONVOLUTION, "innerproduct": caffe_pb2.V1LayerParameter.INNER_PRODUCT}
    for block in v0_net.layers:
        v1_net.layers.add(name=block.layer.name, type=v1_types[block.layer.type], blobs=block.layer.blobs)
    path.write_bytes(v1_net.SerializeToString())
    return path


def test_v0_net_and_v0_caffemodel_match_opencv(tmp_path):
    deploy = tmp_path / "deploy.prototxt"
    deploy.write_text(PROTOTXT)
    weights = write_v0_caffemodel(tmp_path / "v0.caffemodel")
    same_weights_v1 = as_v1_caffemodel(weights, tmp_path / "v1.caffemodel")
    x = random_input((1, 3, 23, 27))
    net, ours = run_ours(deploy, weights, x, NAMES)
    _, ours_from_v1 = run_ours(deploy, same_weights_v1, x, NAMES)
    theirs = opencv_outputs(deploy, same_weights_v1, x, {n: opencv_address(net, n) for n in NAMES})
    assert ours["pool2"].shape == (1, 6, 4, 5) and ours["prob"].shape == (1, 5)
    for name in NAMES:
        np.testing.assert_array_equal(ours[name], ours_from_v1[name])
        assert ours[name].shape == theirs[name].shape, name
        error = relative_error(ours[name], theirs[name])
        print(f"CHECK V0 {name} {ours[name].shape} rel_err={error:.3e}")
        assert error <= TOLERANCE, f"{name}: relative error {error:.3e}"
