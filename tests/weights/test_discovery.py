from pathlib import Path

import pytest

from deepdream_torch.weights.discovery import find_prototxt, model_files_in, resolve_model
from deepdream_torch.weights.errors import ZooError


def make(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text("x")
    return folder


def test_a_single_prototxt_is_the_net_whatever_its_name(tmp_path: Path) -> None:
    folder = make(tmp_path / "m", "VGG_ILSVRC_16_layers_deploy.prototxt", "readme.md")
    assert find_prototxt(folder, "VGG_ILSVRC_16_layers").name == "VGG_ILSVRC_16_layers_deploy.prototxt"


def test_solver_files_are_never_taken_for_the_net(tmp_path: Path) -> None:
    folder = make(tmp_path / "m", "solver.prototxt", "train_val.prototxt")
    assert find_prototxt(folder, "m").name == "train_val.prototxt"


def test_the_prototxt_named_like_the_model_wins_over_deploy(tmp_path: Path) -> None:
    folder = make(tmp_path / "m", "places.prototxt", "deploy.prototxt", "train_val.prototxt")
    assert find_prototxt(folder, "places.caffemodel").name == "places.prototxt"


def test_otherwise_the_only_deploy_prototxt(tmp_path: Path) -> None:
    folder = make(tmp_path / "m", "deploy.prototxt", "train_val.prototxt", "solver.prototxt")
    assert find_prototxt(folder, "bvlc_googlenet.caffemodel").name == "deploy.prototxt"
    folder = make(tmp_path / "n", "VGG_CNN_M_deploy.prototxt", "train_val.prototxt")
    assert find_prototxt(folder, "anything").name == "VGG_CNN_M_deploy.prototxt"


def test_ambiguous_folders_name_what_was_found_and_what_to_do(tmp_path: Path) -> None:
    folder = make(tmp_path / "m", "deploy_a.prototxt", "deploy_b.prototxt", "train.prototxt")
    with pytest.raises(ZooError) as raised:
        find_prototxt(folder, "m")
    message = str(raised.value)
    assert "deploy_a.prototxt, deploy_b.prototxt, train.prototxt" in message
    assert "deploy.prototxt" in message and "\n" not in message


def test_a_folder_without_prototxt_says_so(tmp_path: Path) -> None:
    folder = make(tmp_path / "m", "m.caffemodel")
    with pytest.raises(ZooError, match="no .prototxt in"):
        find_prototxt(folder, "m")


def test_resolve_model_uses_the_models_root_without_a_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEEPDREAM_MODELS", str(tmp_path))
    folder = make(tmp_path / "models" / "bvlc_googlenet", "deploy.prototxt", "bvlc_googlenet.caffemodel")
    files = resolve_model("bvlc_googlenet.caffemodel")
    assert files.prototxt == folder / "deploy.prototxt"
    assert files.caffemodel == folder / "bvlc_googlenet.caffemodel"
    assert files.name == "bvlc_googlenet"


def test_resolve_model_with_an_explicit_folder(tmp_path: Path) -> None:
    folder = make(
        tmp_path / "places205CNN", "deploy.prototxt", "places205CNN_iter_300000_upgraded.caffemodel"
    )
    files = resolve_model("places205CNN_iter_300000_upgraded.caffemodel", folder)
    assert files.caffemodel == folder / "places205CNN_iter_300000_upgraded.caffemodel"


def test_a_missing_model_folder_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(ZooError, match="zoo get nin_imagenet"):
        resolve_model("nin_imagenet.caffemodel")


def test_model_files_in_a_folder_with_one_caffemodel(tmp_path: Path) -> None:
    folder = make(tmp_path / "m", "deploy.prototxt", "weights.caffemodel")
    assert model_files_in(folder).caffemodel.name == "weights.caffemodel"
    make(folder, "other.caffemodel")
    with pytest.raises(ZooError, match="other.caffemodel, weights.caffemodel"):
        model_files_in(folder)
