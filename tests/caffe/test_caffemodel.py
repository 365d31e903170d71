import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deepdream_torch.caffe import caffe_pb2
from deepdream_torch.caffe.caffemodel import read_caffemodel
from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.caffe.write import write_caffemodel

RNG = np.random.default_rng(0)
LAYERS = [
    ("conv1", "Convolution", [RNG.normal(size=(4, 3, 3, 3)).astype(np.float32), RNG.normal(size=4).astype(np.float32)]),
    ("fc", "InnerProduct", [RNG.normal(size=(5, 36)).astype(np.float32)]),
]


def _protobuf_reading(path):
    """The same file read whole by protobuf's own parser: an independent decoder of what we wrote."""
    net = caffe_pb2.NetParameter.FromString(path.read_bytes())
    return net


def test_written_weights_read_back_exactly_and_protobuf_agrees(tmp_path):
    path = tmp_path / "m.caffemodel"
    write_caffemodel(path, LAYERS)
    layers = read_caffemodel(path)
    assert list(layers) == ["conv1", "fc"]
    for name, type_name, blobs in LAYERS:
        assert layers[name].type == type_name
        for ours, expected in zip(layers[name].blobs, blobs):
            assert ours.shape == expected.shape and not ours.legacy
            np.testing.assert_array_equal(ours.values, expected.ravel())
    parsed = _protobuf_reading(path)
    assert [layer.name for layer in parsed.layer] == ["conv1", "fc"]
    assert list(parsed.layer[0].blobs[0].shape.dim) == [4, 3, 3, 3]
    np.testing.assert_array_equal(np.array(parsed.layer[1].blobs[0].data, np.float32), LAYERS[1][2][0].ravel())


def test_legacy_v1_file_keeps_4d_blob_dims_and_type_names(tmp_path):
    path = tmp_path / "old.caffemodel"
    write_caffemodel(path, LAYERS, legacy=True)
    parsed = _protobuf_reading(path)
    assert not parsed.layer and parsed.layers[1].type == caffe_pb2.V1LayerParameter.INNER_PRODUCT
    layers = read_caffemodel(path)
    assert layers["fc"].type == "InnerProduct"
    assert layers["fc"].blobs[0].shape == (1, 1, 5, 36) and layers["fc"].blobs[0].legacy
    assert layers["conv1"].blobs[1].shape == (1, 1, 1, 4)


def test_protobuf_written_file_with_shapes_and_double_data_reads(tmp_path):
    net = caffe_pb2.NetParameter()
    layer = net.layer.add(name="s", type="Scale")
    blob = layer.blobs.add()
    blob.shape.dim.extend([3])
    blob.double_data.extend([1.5, -2.0, 0.25])
    net.layer.add(name="no_weights", type="ReLU")
    path = tmp_path / "d.caffemodel"
    path.write_bytes(net.SerializeToString())
    layers = read_caffemodel(path)
    assert list(layers) == ["s"]  # layers without weights are not listed
    np.testing.assert_array_equal(layers["s"].blobs[0].values, np.array([1.5, -2.0, 0.25], np.float32))


def test_truncated_file_says_so(tmp_path):
    path = tmp_path / "m.caffemodel"
    write_caffemodel(path, LAYERS)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 50])
    with pytest.raises(CaffeFormatError, match="truncated"):
        read_caffemodel(path)


@pytest.mark.parametrize(
    "content",
    [b"", b'name: "GoogleNet"\nlayer {\n  name: "data"\n}\n', b"\x89PNG\r\n\x1a\n" + bytes(100)],
    ids=["empty", "a prototxt", "a png"],
)
def test_files_that_are_not_caffemodels_are_refused(tmp_path, content):
    path = tmp_path / "x.caffemodel"
    path.write_bytes(content)
    with pytest.raises(CaffeFormatError):
        read_caffemodel(path)


def test_missing_file(tmp_path):
    with pytest.raises(CaffeFormatError, match="caffemodel not found"):
        read_caffemodel(tmp_path / "nope.caffemodel")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_our_error(tmp_path, data):
    path = tmp_path / "fuzz.caffemodel"
    path.write_bytes(data)
    try:
        read_caffemodel(path)
    except CaffeFormatError:
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_mutated_caffemodels_raise_only_our_error(tmp_path, data):
    path = tmp_path / "m.caffemodel"
    write_caffemodel(path, LAYERS[:1])
    raw = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    path.write_bytes(bytes(raw[:cut]) if data.draw(st.booleans()) else bytes(raw))
    try:
        read_caffemodel(path)
    except CaffeFormatError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_prototxt_text_raises_only_our_error(text):
    from deepdream_torch.caffe.net_spec import net_spec
    from deepdream_torch.caffe.prototxt import parse_prototxt

    try:
        net_spec(parse_prototxt(text))
    except CaffeFormatError:
        pass
