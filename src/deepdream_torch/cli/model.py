"""From ``-p``/``-m`` to a loaded net and its mean, through the zoo package's rules.

Without ``-p``, a model the zoo knows is fetched into the models root on first use (sha1-checked, with a
progress bar), as ``make demo`` does; with ``-p`` the folder is used as it is. The mean is the zoo manifest's
when it knows the model, else ImageNet's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from rich.console import Console
from rich.progress import Progress

from deepdream_torch.cli.flags import DEFAULT_MODEL_NAME
from deepdream_torch.dreaming.layers import CUSTOMLOOP, default_layers
from deepdream_torch.dreaming.settings import IMAGENET_MEAN
from deepdream_torch.weights import ZooError
from deepdream_torch.weights.discovery import ModelFiles, model_files_in, resolve_model
from deepdream_torch.weights.fetch import ensure_model
from deepdream_torch.weights.manifest import ZooEntry, zoo_entry
from deepdream_torch.weights.progress import RichDownloadProgress, download_columns
from deepdream_torch.weights.store import model_stem


@dataclass(frozen=True)
class Model:
    files: ModelFiles
    net: torch.nn.Module
    mean: tuple[float, float, float]
    entry: ZooEntry | None  # the zoo's facts when the model is a zoo model


def known_entry(model_name: str) -> ZooEntry | None:
    """The zoo's entry for a model name, or None for a model the zoo does not list."""
    try:
        return zoo_entry(model_stem(model_name))
    except ZooError:
        return None


def fetch(name: str, console: Console) -> ModelFiles:
    """A zoo model's files, downloaded with a progress bar when they are not in the models root yet."""
    # Only on a terminal: in a log or a pipe, rich's empty live display would leave a blank line before any error.
    with Progress(*download_columns(), console=console, transient=True, disable=not console.is_terminal) as bars:
        return ensure_model(name, progress=RichDownloadProgress(bars))


def model_files(model_name: str, model_path: Path | None, console: Console) -> ModelFiles:
    """The files ``-m``/``-p`` name; a zoo model without ``-p`` is fetched on first use."""
    entry = known_entry(model_name)
    if model_path is None and entry is not None:
        return fetch(entry.name, console)
    return local_files(model_name, model_path)


def local_files(model_name: str, model_path: Path | None) -> ModelFiles:
    """The files of a model on disk; ``-p FOLDER`` without ``-m`` (the name left at its default, which the
    folder does not hold) takes the folder's only ``.caffemodel``."""
    if model_path is not None and model_name == DEFAULT_MODEL_NAME:
        folder = Path(model_path)
        default = folder / model_name
        if folder.is_dir() and not default.exists() and not default.with_name(f"{model_name}.sha1").exists():
            return model_files_in(folder)
    return resolve_model(model_name, model_path)


def load(model_name: str, model_path: Path | None, console: Console) -> Model:
    """The converted net (from the conversion cache after the first run) and the mean to dream it with. A
    conversion cache that cannot be written is said in one warning line on ``console``."""
    from deepdream_torch.weights.cache import load_model

    files = model_files(model_name, model_path, console)
    entry = known_entry(files.caffemodel.name)
    mean = entry.mean_bgr if entry is not None and entry.mean_bgr is not None else IMAGENET_MEAN
    # A cache that cannot be written is a note, not a stop: one line where the run's other warnings go.
    net = load_model(files, warn=lambda message: console_log(console, 1)(1, f"warning: {message}"))
    for note in getattr(net, "notes", ()):  # how a train/test net was read, which layers stay unconverted
        console_log(console, 1)(1, f"note: {note}")
    return Model(files, net, tuple(mean), entry)


def console_log(console: Console, verbose: int) -> Callable[[int, str], None]:
    """A ``log(level, message)`` that prints the messages of levels up to ``verbose`` on ``console``."""

    def log(level: int, message: str) -> None:
        if level <= verbose:
            console.print(message, markup=False, highlight=False)

    return log


def layers_to_dream(
    model: Model, layers: tuple[str, ...], given: bool, log: Callable[[int, str], None]
) -> tuple[str, ...]:
    """``layers`` when the user typed --layers; else the model's default (GoogLeNet's customloop, the zoo's
    suggestion, or a mid-depth blob of the net), said at ``-v 2``."""
    if given:
        return layers
    suggested = model.entry.dream_layers if model.entry is not None else ()
    chosen, why = default_layers(model.net, suggested)
    shown = "customloop" if chosen == CUSTOMLOOP else ", ".join(chosen)
    log(2, f"no --layers given: dreaming {shown} ({why}); name others with --layers")
    return chosen
