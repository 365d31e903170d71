"""Models for the page: the local ones (model folders in the models root), the zoo, downloads, a net's layers.

Everything goes through the library's calls: ``ensure_model`` downloads and sha1-checks a zoo model exactly as
``deepdream zoo get`` does (its progress callback feeds the page instead of a rich bar), and the layers are mode 5's
rows (``cli.layers_table.layer_rows``), the data the console's table is drawn from, so the page and
``deepdream layers`` agree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deepdream_torch.errors import DeepDreamError
from deepdream_torch.studio.errors import StudioError
from deepdream_torch.weights.discovery import ModelFiles, model_files_in
from deepdream_torch.weights.manifest import zoo_models
from deepdream_torch.weights.store import models_root


def local_models() -> dict[str, ModelFiles]:
    """Every model folder in the models root holding one caffemodel (or its sha1 sidecar), by caffemodel name."""
    root = models_root()
    found: dict[str, ModelFiles] = {}
    if not root.is_dir():
        return found
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            files = model_files_in(folder)
        except DeepDreamError:
            continue  # not a complete model folder (a download in progress, a stray folder)
        found.setdefault(files.caffemodel.name, files)
    return found


def model_folders() -> dict[str, str | None]:
    """What a job spec may name: caffemodel name -> its folder (as ``-p`` takes it)."""
    return {name: str(files.folder) for name, files in local_models().items()}


def zoo_list() -> list[dict[str, Any]]:
    local = {files.name for files in local_models().values()}
    return [{"name": entry.name, "title": entry.title, "license": entry.license, "local": entry.name in local,
             "layers": list(entry.dream_layers)} for entry in zoo_models().values()]


def layers(files: ModelFiles) -> list[dict[str, Any]]:
    """Mode 5's rows (``cli.layers_table.layer_rows``): number, blob, shape, dreamable, suggested."""
    from deepdream_torch.cli.layers_table import layer_rows

    return [{"number": row.number, "blob": row.blob, "shape": row.shape, "dreamable": row.dreamable,
             "suggested": row.suggested} for row in layer_rows(files).rows]


def files_of(name: str) -> ModelFiles:
    found = local_models().get(name)
    if found is None:
        raise StudioError(f"no local model {name!r}: get it from the zoo first", 404)
    return found


class Downloads:
    """Zoo downloads in threads, their progress readable by the page (one per model at a time)."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.state: dict[str, dict[str, Any]] = {}
        self.on_change = on_change
        self.lock = threading.Lock()

    def start(self, name: str) -> dict[str, Any]:
        if name not in zoo_models():
            raise StudioError(f"{name!r} is not a zoo model (see the zoo list)", 404)
        with self.lock:
            if self.state.get(name, {}).get("state") == "downloading":
                return self.state[name]
            self.state[name] = {"state": "downloading", "done": 0, "total": None, "file": "", "message": ""}
        threading.Thread(target=self._fetch, args=(name,), daemon=True).start()
        self.on_change()
        return self.state[name]

    def _fetch(self, name: str) -> None:
        from deepdream_torch.weights.fetch import ensure_model

        def progress(label: str, done: int, total: int | None) -> None:
            self.state[name].update(file=label, done=done, total=total)
            self.on_change()

        try:
            files = ensure_model(name, progress=progress)
            self.state[name].update(state="done", message=f"{files.caffemodel.name} in {files.folder} (sha1 checked)")
        except (DeepDreamError, OSError) as error:
            self.state[name].update(state="failed", message=str(error).splitlines()[0] if str(error) else repr(error))
        self.on_change()

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: dict(value) for name, value in self.state.items()}


def model_root() -> Path:
    return models_root()
