from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import torch

from deepdream_torch.net.load import load_caffe
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.onnx_export import export_onnx
from tests.weights.tiny_net import tiny_model


@pytest.fixture
def tiny_net(tmp_path: Path) -> torch.nn.Module:
    return load_caffe(*tiny_model(tmp_path / "m"))


@pytest.mark.parametrize("blob", ["pool1", "conv2"])
def test_onnx_runtime_matches_torch_at_two_sizes(
    tiny_net: torch.nn.Module, tmp_path: Path, blob: str
) -> None:
    path = export_onnx(tiny_net, tmp_path / "tiny.onnx", blob, example_size=(20, 20))
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert [o.name for o in model.graph.output] == [blob]
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    generator = torch.Generator().manual_seed(0)
    # 20x20 is the traced size; 33x47 has odd sizes where Caffe's ceil-mode pooling adds a row and a column.
    for height, width in [(20, 20), (33, 47)]:
        x = torch.randn(1, 3, height, width, generator=generator) * 50
        with torch.no_grad():
            expected = tiny_net(x, outputs=[blob])[blob].numpy()
        (got,) = session.run(None, {"data": x.numpy()})
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-3)


def test_an_unknown_blob_is_refused_before_exporting(tiny_net: torch.nn.Module, tmp_path: Path) -> None:
    with pytest.raises(ZooError, match="no blob 'inception_4c/output'"):
        export_onnx(tiny_net, tmp_path / "x.onnx", "inception_4c/output")
    assert not (tmp_path / "x.onnx").exists()


@pytest.mark.slow
def test_googlenet_until_inception_4c_at_a_size_it_was_not_traced_at(shared: Path, tmp_path: Path) -> None:
    from deepdream_torch.net.random_weights import write_random_caffemodel

    prototxt = shared / "models" / "bvlc_googlenet" / "deploy.prototxt"
    net = load_caffe(prototxt, write_random_caffemodel(prototxt, tmp_path / "g.caffemodel"))
    path = export_onnx(net, tmp_path / "g.onnx", "inception_4c/output")
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = torch.randn(1, 3, 181, 267, generator=torch.Generator().manual_seed(0)) * 50
    with torch.no_grad():
        expected = net(x, outputs=["inception_4c/output"])["inception_4c/output"].numpy()
    (got,) = session.run(None, {"data": x.numpy()})
    assert got.shape == expected.shape == (1, 512, 11, 16)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-2)
