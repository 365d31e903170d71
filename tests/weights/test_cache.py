import hashlib
import os
import time
from pathlib import Path

import pytest
import torch

from deepdream_torch.net.load import load_caffe
from deepdream_torch.weights import checksum
from deepdream_torch.weights.cache import convert_to_cache, description_path, load_model, weights_path
from deepdream_torch.weights.checksum import file_sha1, read_sidecar
from deepdream_torch.weights.discovery import ModelFiles
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.store import converted_dir
from tests.weights.tiny_net import tiny_model

BLOBS = ["conv1", "pool1", "fc"]


def outputs(net: torch.nn.Module) -> dict[str, torch.Tensor]:
    x = torch.randn(1, 3, 20, 20, generator=torch.Generator().manual_seed(1)) * 50
    with torch.no_grad():
        return net(x, outputs=BLOBS)


def assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for name, value in a.items():
        assert torch.equal(value, b[name]), name


def test_the_first_load_converts_and_caches_keyed_by_sha1(tmp_path: Path) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    net = load_model(prototxt, caffemodel)
    sha1 = file_sha1(caffemodel)
    assert read_sidecar(caffemodel) == sha1
    assert weights_path(sha1).is_file() and description_path(sha1).is_file()
    assert sorted(p.name for p in converted_dir().iterdir()) == [f"{sha1}.json", f"{sha1}.safetensors"]
    assert_same(outputs(net), outputs(load_caffe(prototxt, caffemodel)))


def test_the_second_load_does_not_need_the_caffemodel_at_all(tmp_path: Path) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    first = outputs(load_model(prototxt, caffemodel))
    caffemodel.unlink()  # only the sidecar and the cache remain
    assert_same(outputs(load_model(prototxt, caffemodel)), first)
    assert_same(outputs(load_model(tmp_path / "m")), first)


def test_an_untouched_caffemodel_is_hashed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    load_model(prototxt, caffemodel)
    hashed = []
    monkeypatch.setattr(checksum, "file_sha1", lambda path: hashed.append(path) or "0" * 40)
    load_model(prototxt, caffemodel)
    assert hashed == []


def _replace_by_copy_keeping_mtime(caffemodel: Path, new: bytes, old: os.stat_result) -> None:
    # `cp -p new model`, `tar x`, `unzip`: a new file whose mtime is set to one older than the sidecar's.
    fresh = caffemodel.with_name("fresh")
    fresh.write_bytes(new)
    os.utime(fresh, ns=(old.st_atime_ns, old.st_mtime_ns - 10**9))
    os.replace(fresh, caffemodel)


def _rewrite_in_place_keeping_mtime(caffemodel: Path, new: bytes, old: os.stat_result) -> None:
    # Same inode, same size, mtime put back exactly: only the ctime tells.
    with open(caffemodel, "r+b") as stream:
        stream.write(new)
    os.utime(caffemodel, ns=(old.st_atime_ns, old.st_mtime_ns))


@pytest.mark.parametrize("replace", [_replace_by_copy_keeping_mtime, _rewrite_in_place_keeping_mtime])
def test_a_caffemodel_replaced_with_an_older_mtime_is_hashed_and_converted_again(
    tmp_path: Path, replace
) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m", seed=0)
    first = outputs(load_model(prototxt, caffemodel))
    old = caffemodel.stat()
    _, other = tiny_model(tmp_path / "other", seed=1)
    new = other.read_bytes()
    assert len(new) == old.st_size
    time.sleep(0.01)  # a ctime that differs even on coarse-clock filesystems
    replace(caffemodel, new, old)

    replaced = outputs(load_model(prototxt, caffemodel))
    assert not torch.equal(replaced["fc"], first["fc"])
    assert_same(replaced, outputs(load_caffe(prototxt, caffemodel)))
    assert read_sidecar(caffemodel) == hashlib.sha1(new).hexdigest()


def test_a_replaced_caffemodel_is_converted_again(tmp_path: Path) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m", seed=0)
    first = outputs(load_model(prototxt, caffemodel))
    tiny_model(tmp_path / "m", seed=1)  # new weights, newer than the sidecar
    replaced = outputs(load_model(prototxt, caffemodel))
    assert not torch.equal(replaced["fc"], first["fc"])
    assert_same(replaced, outputs(load_caffe(prototxt, caffemodel)))
    assert read_sidecar(caffemodel) == file_sha1(caffemodel)
    assert len(list(converted_dir().glob("*.safetensors"))) == 2


def test_an_edited_prototxt_is_converted_again(tmp_path: Path) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    convert_to_cache(ModelFiles(prototxt, caffemodel))
    prototxt.write_text(prototxt.read_text().replace('name: "tiny"', 'name: "tiny"\nforce_backward: true'))
    assert convert_to_cache(ModelFiles(prototxt, caffemodel)).converted_now
    # Without the caffemodel, weights converted with the old prototxt are not silently used.
    caffemodel.unlink()
    prototxt.write_text(prototxt.read_text() + "\n# edited again\n")
    with pytest.raises(ZooError, match="put the caffemodel back"):
        load_model(prototxt, caffemodel)


def test_a_damaged_cache_file_is_replaced(tmp_path: Path) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    first = outputs(load_model(prototxt, caffemodel))
    cached = weights_path(file_sha1(caffemodel))
    cached.write_bytes(cached.read_bytes()[:100])
    assert_same(outputs(load_model(prototxt, caffemodel)), first)
    assert cached.stat().st_size > 100


def test_convert_to_cache_converts_once(tmp_path: Path) -> None:
    files = ModelFiles(*tiny_model(tmp_path / "m"))
    made = convert_to_cache(files)
    again = convert_to_cache(files)
    assert made.converted_now and not again.converted_now
    assert made.weights == again.weights == weights_path(made.sha1)
    assert convert_to_cache(files, force=True).converted_now
    assert not [p for p in converted_dir().iterdir() if p.suffix == ".tmp"]


def test_missing_files_are_named(tmp_path: Path) -> None:
    prototxt, caffemodel = tiny_model(tmp_path / "m")
    with pytest.raises(ZooError, match="other.caffemodel does not exist"):
        load_model(prototxt, tmp_path / "m" / "other.caffemodel")
    with pytest.raises(ZooError, match="nothing.prototxt does not exist"):
        load_model(tmp_path / "nothing.prototxt", caffemodel)
    with pytest.raises(ZooError, match="not a model folder"):
        load_model(prototxt)
