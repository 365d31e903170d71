"""Which files in a model folder are the net description and the weights.

The original tool took `<model path>/deploy.prototxt` and `<model path>/<model name>`. Zoo gists and users'
folders also hold `train_val.prototxt`, `solver.prototxt` or a prototxt named after the model, so the net
description is: the only prototxt, else the one named like the model, else the only `deploy*` one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.manifest import zoo_models
from deepdream_torch.weights.store import caffemodel_name, model_folder, model_stem


@dataclass(frozen=True)
class ModelFiles:
    """A model's two files on disk (the caffemodel may be absent once its converted weights are cached)."""

    prototxt: Path
    caffemodel: Path

    @property
    def name(self) -> str:
        return model_stem(self.caffemodel.name)

    @property
    def folder(self) -> Path:
        return self.caffemodel.parent


def find_prototxt(folder: Path, model_name: str) -> Path:
    """The net description in a model folder, by the rule in this module's docstring."""
    stem = model_stem(model_name)
    if not folder.is_dir():
        raise ZooError(f"model folder {folder} does not exist; download the model or pass its folder")
    # A solver file is never a net description; gists ship one beside the nets.
    found = sorted(
        p
        for p in folder.iterdir()
        if p.suffix == ".prototxt" and "solver" not in p.name.lower() and p.is_file()
    )
    if len(found) == 1:
        return found[0]
    named = [p for p in found if p.stem.lower() in (stem.lower(), f"{stem}_deploy".lower())]
    if len(named) == 1:
        return named[0]
    deploy = [p for p in found if "deploy" in p.name.lower()]
    if len(deploy) == 1:
        return deploy[0]
    if not found:
        raise ZooError(f"no .prototxt in {folder}; put the model's deploy.prototxt there")
    names = ", ".join(p.name for p in found)
    raise ZooError(
        f"{len(found)} prototxt files in {folder} ({names}) and none is {stem}.prototxt or the only deploy*.prototxt;"
        " name the one describing the net for inference deploy.prototxt"
    )


def resolve_model(
    model_name: str = "bvlc_googlenet.caffemodel", model_path: str | os.PathLike[str] | None = None
) -> ModelFiles:
    """The files of a model given the original's `--model-name` and `--model-path` (the folder is optional).

    Without a path the folder is `<models root>/<name without .caffemodel>/`. The caffemodel need not exist
    when its sha1 sidecar does (its weights may already be converted); `load_model` says what is missing.
    """
    folder = model_folder(model_name, model_path)
    if not folder.is_dir() and model_path is not None:
        raise ZooError(f"model folder {folder} does not exist: check the model path (-p)")
    if not folder.is_dir():
        stem = model_stem(model_name)
        # `zoo get` only helps for a model the zoo lists; for any other name it would be a second error.
        fetch = f"fetch it with `deepdream zoo get {stem}`" if stem in zoo_models() else "it is not a zoo model"
        raise ZooError(
            f"model folder {folder} does not exist ({fetch}); put deploy.prototxt and the .caffemodel in a folder"
            " and pass it with -p"
        )
    caffemodel = folder / caffemodel_name(model_name)
    return ModelFiles(prototxt=find_prototxt(folder, model_name), caffemodel=caffemodel)


def model_files_in(folder: Path) -> ModelFiles:
    """The files of a model folder whose caffemodel name is not given: its only `.caffemodel` (or sidecar)."""
    if not folder.is_dir():
        raise ZooError(f"model folder {folder} does not exist")
    weights = sorted(p for p in folder.glob("*.caffemodel") if p.is_file())
    if not weights:
        # Only a sidecar left: the caffemodel was removed after its weights were converted.
        weights = sorted(p.with_suffix("") for p in folder.glob("*.caffemodel.sha1"))
    if len(weights) != 1:
        what = ", ".join(p.name for p in weights) if weights else "none"
        raise ZooError(f"expected one .caffemodel in {folder}, found {what}; pass the model name as well")
    return ModelFiles(prototxt=find_prototxt(folder, weights[0].name), caffemodel=weights[0])
