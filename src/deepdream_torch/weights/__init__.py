"""The model store: zoo manifest, downloads, model folders, the conversion cache and ONNX export.

Entry points (imported lazily, so `import deepdream_torch.weights` does not import torch):

- ``ensure_model(name, progress=None) -> ModelFiles``: a zoo model's files, downloaded and sha1-checked on first use.
- ``resolve_model(model_name, model_path=None) -> ModelFiles``: the original's `-m`/`-p` rule for a model folder.
- ``load_model(files | folder | prototxt, caffemodel=None)``: the converted net, from the conversion cache.
- ``convert_to_cache(files, force=False) -> ConvertedWeights``: convert once, ahead of time.
- ``zoo_models()``, ``zoo_entry(name)``: the manifest (`zoo.toml`).
- ``export_onnx(net, path, until_blob, example_size=(224, 224))``.
- ``RichDownloadProgress(progress)``, ``download_columns()``: a rich progress bar for downloads.
"""

from importlib import import_module

from deepdream_torch.weights.errors import ZooError as ZooError

_EXPORTS = {
    "home": "store",
    "models_root": "store",
    "converted_dir": "store",
    "model_folder": "store",
    "ModelFiles": "discovery",
    "find_prototxt": "discovery",
    "resolve_model": "discovery",
    "model_files_in": "discovery",
    "ZooEntry": "manifest",
    "zoo_models": "manifest",
    "zoo_entry": "manifest",
    "readme_facts": "readme",
    "ensure_model": "fetch",
    "RichDownloadProgress": "progress",
    "download_columns": "progress",
    "load_model": "cache",
    "convert_to_cache": "cache",
    "ConvertedWeights": "cache",
    "export_onnx": "onnx_export",
}


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(f"deepdream_torch.weights.{_EXPORTS[name]}"), name)
    raise AttributeError(name)
