from pathlib import Path

import pytest

from deepdream_torch.weights.store import (
    caffemodel_name,
    converted_dir,
    home,
    model_folder,
    model_stem,
    models_root,
)


def test_home_defaults_to_the_user_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DEEPDREAM_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert home() == tmp_path / "xdg" / "deepdream-torch"
    assert models_root() == tmp_path / "xdg" / "deepdream-torch" / "models"


def test_deepdream_home_holds_models_and_converted_weights(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEEPDREAM_HOME", str(tmp_path / "store"))
    assert models_root() == tmp_path / "store" / "models"
    assert converted_dir() == tmp_path / "store" / "converted"


def test_deepdream_models_is_the_folder_above_models_as_in_the_docker_image(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEEPDREAM_HOME", str(tmp_path / "store"))
    monkeypatch.setenv("DEEPDREAM_MODELS", str(tmp_path / "caffe"))
    assert models_root() == tmp_path / "caffe" / "models"
    # Converted weights stay in the store: DEEPDREAM_MODELS is often a read-only volume.
    assert converted_dir() == tmp_path / "store" / "converted"


def test_model_folder_is_named_after_the_caffemodel_without_its_suffix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEEPDREAM_MODELS", str(tmp_path))
    assert model_folder("bvlc_googlenet.caffemodel") == tmp_path / "models" / "bvlc_googlenet"
    assert model_folder("bvlc_googlenet") == tmp_path / "models" / "bvlc_googlenet"
    assert model_folder("bvlc_googlenet.caffemodel", tmp_path / "mine") == tmp_path / "mine"


@pytest.mark.parametrize(
    ("given", "stem", "file"),
    [
        ("bvlc_googlenet.caffemodel", "bvlc_googlenet", "bvlc_googlenet.caffemodel"),
        ("VGG_CNN_S", "VGG_CNN_S", "VGG_CNN_S.caffemodel"),
        ("fcn-8s-pascal.caffemodel", "fcn-8s-pascal", "fcn-8s-pascal.caffemodel"),
    ],
)
def test_model_names_with_and_without_the_suffix(given: str, stem: str, file: str) -> None:
    assert model_stem(given) == stem
    assert caffemodel_name(given) == file
