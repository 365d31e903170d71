"""A tiny Caffe net (conv, ReLU, max pool, LRN, fully connected) with random weights, for cache and ONNX tests."""

from __future__ import annotations

from pathlib import Path

from deepdream_torch.net.random_weights import write_random_caffemodel

TINY_PROTOTXT = """name: "tiny"
input: "data"
input_shape { dim: 1 dim: 3 dim: 20 dim: 20 }
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
  pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
layer { name: "norm1" type: "LRN" bottom: "pool1" top: "norm1" lrn_param { local_size: 3 alpha: 0.0001 beta: 0.75 } }
layer { name: "conv2" type: "Convolution" bottom: "norm1" top: "conv2"
  convolution_param { num_output: 4 kernel_size: 3 } }
layer { name: "fc" type: "InnerProduct" bottom: "conv2" top: "fc" inner_product_param { num_output: 5 } }
"""


def tiny_model(folder: Path, seed: int = 0, name: str = "tiny") -> tuple[Path, Path]:
    """Write `deploy.prototxt` and `<name>.caffemodel` (random weights) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    prototxt = folder / "deploy.prototxt"
    prototxt.write_text(TINY_PROTOTXT)
    caffemodel = write_random_caffemodel(prototxt, folder / f"{name}.caffemodel", seed=seed)
    return prototxt, caffemodel
