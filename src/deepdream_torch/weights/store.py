"""Where models and converted weights live on disk.

Two environment variables, both optional:

- ``DEEPDREAM_HOME``: the store (downloaded models and converted weights). Default: the user cache folder,
  e.g. ``~/.cache/deepdream-torch``.
- ``DEEPDREAM_MODELS``: a folder holding ``models/<name>/``. The original Docker image set it to its Caffe folder;
  when it is set, models are looked up and downloaded there instead of ``$DEEPDREAM_HOME/models``.

Folder layout::

    <models root>/<model name>/deploy.prototxt, <model name>.caffemodel, <model name>.caffemodel.sha1, readme.md
    $DEEPDREAM_HOME/converted/<caffemodel sha1>.safetensors + .json
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir

HOME_ENV = "DEEPDREAM_HOME"
MODELS_ENV = "DEEPDREAM_MODELS"
CAFFEMODEL_SUFFIX = ".caffemodel"


def home() -> Path:
    """The store's root folder (not created here)."""
    configured = os.environ.get(HOME_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path(user_cache_dir("deepdream-torch", appauthor=False))


def models_root() -> Path:
    """The folder whose subfolders are model folders; zoo downloads go here too."""
    configured = os.environ.get(MODELS_ENV)
    if configured:
        # The original Docker image set DEEPDREAM_MODELS to the folder *above* `models/`.
        return Path(configured).expanduser() / "models"
    return home() / "models"


def converted_dir() -> Path:
    """Where converted weights are cached, one file per caffemodel sha1."""
    return home() / "converted"


def model_stem(model_name: str) -> str:
    """`bvlc_googlenet.caffemodel` → `bvlc_googlenet`; a bare name is returned as is."""
    name = Path(model_name).name
    return name.removesuffix(CAFFEMODEL_SUFFIX)


def caffemodel_name(model_name: str) -> str:
    """`bvlc_googlenet` → `bvlc_googlenet.caffemodel`; a name that has the suffix is returned as is."""
    return model_stem(model_name) + CAFFEMODEL_SUFFIX


def model_folder(model_name: str, model_path: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding a model: the explicit path if given, else `<models root>/<name without .caffemodel>`."""
    if model_path is not None:
        return Path(model_path).expanduser()
    return models_root() / model_stem(model_name)
