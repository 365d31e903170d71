import functools
import hashlib
import io
import tarfile
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from deepdream_torch.net.random_weights import write_random_caffemodel
from deepdream_torch.weights.checksum import read_sidecar
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.fetch import ensure_model
from deepdream_torch.weights.manifest import ZooEntry, zoo_entry
from tests.weights.loopback import LoopbackServer

WEIGHTS = b"\x0a\x05dummy" + bytes(range(256)) * 300
PROTOTXT = (
    b'name: "tiny"\ninput: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n'
    b'layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1" convolution_param { num_output: 2 kernel_size: 3 } }\n'
)


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def an_entry(**fields: object) -> ZooEntry:
    base = ZooEntry(
        name="tiny",
        title="a test model",
        caffemodel_url="http://models.example.invalid/tiny.caffemodel",
        sha1=sha1(WEIGHTS),
        prototxt_url="http://models.example.invalid/deploy.prototxt",
        license="unrestricted",
        mean_bgr=None,
        dream_layers=(),
    )
    return replace(base, **fields)


@pytest.fixture
def mirror(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> LoopbackServer:
    monkeypatch.setenv("DEEPDREAM_ZOO_MIRROR", f"{server.url}/zoo/")
    return server


def test_a_model_is_fetched_from_the_mirror_with_a_sidecar(
    mirror: LoopbackServer, isolated_store: Path
) -> None:
    mirror.served.files |= {"/zoo/tiny/deploy.prototxt": PROTOTXT, "/zoo/tiny/tiny.caffemodel": WEIGHTS}
    labels: set[str] = set()
    files = ensure_model("tiny", progress=lambda label, done, total: labels.add(label), entry=an_entry())
    folder = isolated_store / "models" / "tiny"
    assert files.prototxt == folder / "deploy.prototxt" and files.prototxt.read_bytes() == PROTOTXT
    assert files.caffemodel == folder / "tiny.caffemodel" and files.caffemodel.read_bytes() == WEIGHTS
    assert read_sidecar(files.caffemodel) == sha1(WEIGHTS)
    assert labels == {"deploy.prototxt", "tiny.caffemodel"}
    # A second call finds everything in place and asks the server nothing.
    asked = len(mirror.served.requests)
    assert ensure_model("tiny", entry=an_entry()) == files
    assert len(mirror.served.requests) == asked


def test_published_addresses_are_used_without_a_mirror(server: LoopbackServer, monkeypatch) -> None:
    monkeypatch.delenv("DEEPDREAM_ZOO_MIRROR")
    server.served.files |= {"/a/deploy.prototxt": PROTOTXT, "/b/w.caffemodel": WEIGHTS}
    entry = an_entry(
        prototxt_url=f"{server.url}/a/deploy.prototxt", caffemodel_url=f"{server.url}/b/w.caffemodel"
    )
    files = ensure_model("tiny", entry=entry)
    assert files.caffemodel.read_bytes() == WEIGHTS
    assert [path for path, _ in server.served.requests] == ["/a/deploy.prototxt", "/b/w.caffemodel"]


def test_a_wrong_zoo_checksum_deletes_the_file_and_says_so(
    mirror: LoopbackServer, isolated_store: Path
) -> None:
    mirror.served.files |= {
        "/zoo/bvlc_googlenet/deploy.prototxt": PROTOTXT,
        "/zoo/bvlc_googlenet/bvlc_googlenet.caffemodel": WEIGHTS,
    }
    with pytest.raises(
        ZooError, match="but 405fc5acd08a3bb12de8ee5e23a96bec22f08204 was expected; the download was deleted"
    ):
        ensure_model("bvlc_googlenet")
    folder = isolated_store / "models" / "bvlc_googlenet"
    assert not (folder / "bvlc_googlenet.caffemodel").exists()
    assert not (folder / "bvlc_googlenet.caffemodel.part").exists()


def readme(sha1_value: str) -> bytes:
    return f"---\nname: tiny\ncaffemodel: tiny.caffemodel\nsha1: {sha1_value}\nlicense: x\n---\n\nA model.\n".encode()


def test_an_unknown_sha1_is_read_from_the_published_readme(mirror: LoopbackServer) -> None:
    mirror.served.files |= {
        "/zoo/tiny/deploy.prototxt": PROTOTXT,
        "/zoo/tiny/readme.md": readme(sha1(WEIGHTS)),
        "/zoo/tiny/tiny.caffemodel": WEIGHTS,
    }
    entry = an_entry(sha1=None, readme_url="http://models.example.invalid/readme.md")
    files = ensure_model("tiny", entry=entry)
    assert (files.folder / "readme.md").read_bytes() == readme(sha1(WEIGHTS))
    assert files.caffemodel.read_bytes() == WEIGHTS


def test_the_readme_sha1_is_enforced(mirror: LoopbackServer) -> None:
    mirror.served.files |= {
        "/zoo/tiny/deploy.prototxt": PROTOTXT,
        "/zoo/tiny/readme.md": readme("1" * 40),
        "/zoo/tiny/tiny.caffemodel": WEIGHTS,
    }
    entry = an_entry(sha1=None, readme_url="http://models.example.invalid/readme.md")
    with pytest.raises(ZooError, match=f"but {'1' * 40} was expected"):
        ensure_model("tiny", entry=entry)


def gist_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as gist:
        gist.writestr("abc-123/deploy.prototxt", PROTOTXT)
        gist.writestr("abc-123/train_val.prototxt", b"name: 'train'")
        gist.writestr("abc-123/solver.prototxt", b"base_lr: 0.01")
        gist.writestr("abc-123/readme.md", readme(sha1(WEIGHTS)))
        gist.writestr("abc-123/../../escape.prototxt", b"flattened into the folder")
        gist.writestr("abc-123/tool.py", b"not kept")
    return buffer.getvalue()


def test_a_gist_gives_the_prototxt_and_the_readme(mirror: LoopbackServer, isolated_store: Path) -> None:
    mirror.served.files |= {"/zoo/tiny/gist.zip": gist_zip(), "/zoo/tiny/tiny.caffemodel": WEIGHTS}
    entry = an_entry(
        sha1=None, caffemodel_url=None, prototxt_url="https://gist.github.com/someone/abc/download"
    )
    files = ensure_model("tiny", entry=entry)
    folder = isolated_store / "models" / "tiny"
    assert sorted(p.name for p in folder.iterdir()) == [
        "deploy.prototxt", "escape.prototxt", "readme.md", "solver.prototxt", "tiny.caffemodel",
        "tiny.caffemodel.sha1", "train_val.prototxt",
    ]  # fmt: skip
    assert not (isolated_store / "models" / "escape.prototxt").exists()
    assert files.prototxt == folder / "deploy.prototxt"
    assert read_sidecar(files.caffemodel) == sha1(WEIGHTS)


@functools.cache
def weights_of_prototxt() -> bytes:
    """Random weights that fit PROTOTXT: what a caffemodel without a published sha1 is checked against."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "deploy.prototxt").write_bytes(PROTOTXT)
        write_random_caffemodel(Path(folder) / "deploy.prototxt", Path(folder) / "w.caffemodel")
        return (Path(folder) / "w.caffemodel").read_bytes()


def places_archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in [
            ("googlenet_places205/deploy_places205.protxt", PROTOTXT),
            ("googlenet_places205/googlelet_places205_train_iter_2400000.caffemodel", weights_of_prototxt()),
            ("googlenet_places205/categoryIndex_places205.csv", b"a 0\n"),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_the_places205_archive_is_fetched_once_and_unpacked(
    mirror: LoopbackServer, isolated_store: Path
) -> None:
    mirror.served.files["/zoo/googlenet_places205/googlenet_places205.tar.gz"] = places_archive()
    files = ensure_model("googlenet_places205")
    folder = isolated_store / "models" / "googlenet_places205"
    assert sorted(p.name for p in folder.iterdir()) == [
        "deploy_places205.prototxt", "googlenet_places205.caffemodel", "googlenet_places205.caffemodel.sha1",
    ]  # fmt: skip
    assert files.caffemodel.read_bytes() == weights_of_prototxt() and files.prototxt.read_bytes() == PROTOTXT
    assert len(mirror.served.requests) == 1


def test_a_caffemodel_from_an_archive_with_a_published_sha1_is_hashed_once(
    mirror: LoopbackServer, isolated_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror.served.files["/zoo/googlenet_places205/googlenet_places205.tar.gz"] = places_archive()
    hashed: list[Path] = []
    monkeypatch.setattr("deepdream_torch.weights.fetch.file_sha1", lambda path: hashed.append(path) or sha1(Path(path).read_bytes()))
    entry = replace(zoo_entry("googlenet_places205"), sha1=sha1(weights_of_prototxt()))
    files = ensure_model("googlenet_places205", entry=entry)
    assert read_sidecar(files.caffemodel) == sha1(weights_of_prototxt())
    assert len(hashed) == 1  # a 500 MB caffemodel is read once for its sha1, not twice


def test_offline_the_error_is_one_line_saying_where_to_put_a_local_copy(isolated_store: Path) -> None:
    with pytest.raises(ZooError) as raised:
        ensure_model("bvlc_googlenet")
    assert not (isolated_store / "models" / "bvlc_googlenet").exists()
    message = str(raised.value)
    assert "\n" not in message
    assert "cannot download bvlc_googlenet" in message and "cannot reach 127.0.0.1" in message
    assert "put deploy.prototxt and bvlc_googlenet.caffemodel in <folder>/models/bvlc_googlenet/" in message
    assert "DEEPDREAM_MODELS=<folder>" in message


def local_copy(root: Path, name: str, weights: bytes) -> Path:
    folder = root / "models" / name
    folder.mkdir(parents=True)
    (folder / "deploy.prototxt").write_bytes(PROTOTXT)
    (folder / f"{name}.caffemodel").write_bytes(weights)
    return folder


def test_a_local_copy_under_deepdream_models_works_offline(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DEEPDREAM_MODELS", str(tmp_path / "caffe"))
    folder = local_copy(tmp_path / "caffe", "tiny", WEIGHTS)
    files = ensure_model("tiny", entry=an_entry())
    assert files.caffemodel == folder / "tiny.caffemodel"
    assert read_sidecar(files.caffemodel) == sha1(WEIGHTS)


def test_a_wrong_local_copy_is_replaced_once_a_good_one_arrives(
    mirror: LoopbackServer, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("DEEPDREAM_MODELS", str(tmp_path / "caffe"))
    folder = local_copy(tmp_path / "caffe", "tiny", b"an older version")
    mirror.served.files["/zoo/tiny/tiny.caffemodel"] = WEIGHTS
    ensure_model("tiny", entry=an_entry())
    assert (folder / "tiny.caffemodel").read_bytes() == WEIGHTS


def test_a_wrong_local_copy_offline_is_kept_and_named(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DEEPDREAM_MODELS", str(tmp_path / "caffe"))
    folder = local_copy(tmp_path / "caffe", "tiny", b"an older version")
    with pytest.raises(ZooError, match="does not have the published sha1"):
        ensure_model("tiny", entry=an_entry())
    assert (folder / "tiny.caffemodel").read_bytes() == b"an older version"


def test_zoo_names_are_checked_before_anything_is_fetched() -> None:
    with pytest.raises(ZooError, match="did you mean bvlc_alexnet"):
        ensure_model("bvlc_alexnt")


def test_every_zoo_entry_names_its_files_for_a_mirror() -> None:
    # The mirror layout is <mirror>/<name>/<file>; entries need a name that is a safe single path segment.
    for name in ("bvlc_googlenet", "fcn-8s-pascal", "VGG_ILSVRC_16_layers"):
        assert "/" not in zoo_entry(name).name
