"""Small converted nets with random weights, from the real prototxts in nets/ through load_caffe."""

from __future__ import annotations

from pathlib import Path

from deepdream_torch import load_caffe
from deepdream_torch.net.caffe_net import CaffeNet
from deepdream_torch.net.random_weights import write_random_caffemodel

NETS = Path(__file__).parent / "nets"


def random_net(prototxt: Path, folder: Path, seed: int = 0) -> CaffeNet:
    caffemodel = write_random_caffemodel(prototxt, folder / f"{prototxt.stem}.caffemodel", seed=seed)
    return load_caffe(prototxt, caffemodel)
