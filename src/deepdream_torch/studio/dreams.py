"""Small dreams the page waits for: the preview of the current settings and one picture per layer.

Both run in this process on a net loaded once (the CLI's ``load``: conversion cache, mean) and kept while the page
uses it. The preview dreams the picture scaled to at most ``PREVIEW_SIDE`` pixels; a layer's look is a smaller dream
made on first request and cached in ``.studio/layer_looks/``. Esc in the page cancels a preview: the dream's
progress callback stops it at the next step.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from deepdream_torch.studio.errors import StudioError
from deepdream_torch.studio.library import first_picture
from deepdream_torch.studio.models import files_of
from deepdream_torch.studio.paths import inside, relative_name, studio_dir

PREVIEW_SIDE = 320
LOOK_SIDE = 128


class PreviewCancelled(Exception):
    """Raised inside the dream's progress callback when the page cancelled the preview."""


@dataclass(frozen=True)
class Settings:
    layer: str | None
    octaves: int = 3
    iterations: int = 5
    step_size: float = 1.5
    jitter: int = 32
    channels: str | None = None  # "12,40-45": dream only these channels of the layer (as --channels)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Settings:
        from deepdream_torch.studio.job_spec import _channels, _number

        layers = value.get("layers") or []
        layer = layers[0] if isinstance(layers, list) and layers and isinstance(layers[0], str) else None
        octaves, iterations = _number(value, "octaves", int), _number(value, "iterations", int)
        step, jitter = _number(value, "step_size", float), _number(value, "jitter", int)
        return cls(layer, octaves or 3, iterations or 5, 1.5 if step is None else step, 32 if jitter is None else jitter,
                   _channels(value.get("channels")))


class Dreamer:
    """One loaded net at a time, one small dream at a time."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.lock = threading.Lock()
        self.loaded: tuple[str, Any] | None = None
        self.cancel_requested = False

    def model(self, name: str) -> Any:
        from rich.console import Console

        from deepdream_torch.cli.model import load

        files = files_of(name)
        if self.loaded is None or self.loaded[0] != name:
            self.loaded = (name, load(files.caffemodel.name, files.folder, Console(file=io.StringIO())))
        return self.loaded[1]

    def default_layer(self, name: str) -> str:
        from deepdream_torch.dreaming.layers import default_layers

        model = self.model(name)
        chosen, _ = default_layers(model.net, model.entry.dream_layers if model.entry is not None else ())
        return chosen[0]

    def preview(self, model_name: str, source: str, settings: Settings) -> dict[str, Any]:
        """Dream the picture (or a video's first frame) small; returns the before and after pictures' names."""
        picture = _small(first_picture(_source(self.data, source)), PREVIEW_SIDE)
        with self.lock:
            self.cancel_requested = False
            layer = settings.layer or self.default_layer(model_name)  # loads the net once: not the preview's time
            started = time.perf_counter()
            result = self._dream(model_name, picture, layer, settings, _objective(layer, settings.channels))
            seconds = time.perf_counter() - started
        folder = studio_dir(self.data, "previews")
        before, after = folder / "before.jpg", folder / "after.jpg"
        _save(picture, before)
        _save(result, after)
        return {"before": relative_name(self.data, before), "after": relative_name(self.data, after),
                "layer": layer, "seconds": round(seconds, 2), "size": list(picture.shape[1::-1])}

    def layer_look(self, model_name: str, source: str, layer: str) -> Path:
        """A small dream of the picture at one layer, made once and cached."""
        path = _source(self.data, source)
        stat = path.stat()
        key = hashlib.sha1(f"{model_name}|{layer}|{relative_name(self.data, path)}|{stat.st_mtime_ns}".encode())
        look = studio_dir(self.data, "layer_looks") / f"{key.hexdigest()}.jpg"
        if not look.is_file():
            picture = _small(first_picture(path), LOOK_SIDE)
            with self.lock:
                self.cancel_requested = False
                _save(self._dream(model_name, picture, layer, Settings(layer, 2, 4)), look)
        return look

    def cancel(self) -> None:
        self.cancel_requested = True

    def _dream(self, model_name: str, picture: np.ndarray, layer: str, settings: Settings,
               objective: Any = None) -> np.ndarray:
        from deepdream_torch.dreaming.dream import dream
        from deepdream_torch.errors import DeepDreamError

        model = self.model(model_name)

        def stop_if_cancelled(_: object) -> None:
            if self.cancel_requested:
                raise PreviewCancelled

        try:
            return dream(picture, model.net, layer, settings.octaves, iterations=settings.iterations,
                         step_size=settings.step_size, jitter=settings.jitter, mean=model.mean, device="cpu",
                         seed=0, progress=stop_if_cancelled, objective=objective)
        except PreviewCancelled as cancelled:
            raise StudioError("preview cancelled", 409) from cancelled
        except DeepDreamError as error:
            raise StudioError(str(error)) from error


def _objective(layer: str, chosen: str | None) -> Any:
    """The ``channels`` objective for the preview's channels field (None: the layer's plain L2)."""
    if not chosen:
        return None
    from deepdream_torch.cli.channels import parse_channels
    from deepdream_torch.dreaming.objectives import channels

    return channels(layer, parse_channels(chosen))


def _source(data: Path, name: str) -> Path:
    path = inside(data, name)
    if not path.is_file():
        raise StudioError(f"no picture {name} in the data folder", 404)
    return path


def _small(image: Image.Image, side: int) -> np.ndarray:
    image = image.copy()
    image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return np.asarray(image)


def _save(picture: np.ndarray | Image.Image, path: Path) -> None:
    from deepdream_torch.atomic import atomic_write

    image = picture if isinstance(picture, Image.Image) else Image.fromarray(picture)
    with atomic_write(path) as temporary:
        image.save(temporary, "JPEG", quality=90)
