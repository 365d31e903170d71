"""Single-picture mode: dream one picture once per layer, write each result and a contact sheet."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from deepdream_torch.dreaming.device import resolve_device
from deepdream_torch.dreaming.dream import check_layer, dream_batch
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.layers import CUSTOMLOOP, distinct
from deepdream_torch.dreaming.loop import Progress
from deepdream_torch.dreaming.objectives import Objective
from deepdream_torch.dreaming.pixels import Picture, as_rgb_array
from deepdream_torch.dreaming.settings import DEFAULT_RUNTIME, DEFAULT_SETTINGS, DreamSettings, Runtime
from deepdream_torch.picture.contact_sheet import contact_sheet
from deepdream_torch.picture.files import save_atomic
from deepdream_torch.picture.naming import IMAGE_TYPES, output_name, sheet_name
from deepdream_torch.safe_paths import refuse_overwrite

DEFAULT_ROOT = Path("data/single_pictures")
GUIDED = "guided"  # the subfolder of guided runs: their files never mix with (or overwrite) unguided ones


@dataclass(frozen=True)
class PictureProgress:
    """How far a single-picture run is: ``finished`` of ``layers`` written, ``step`` inside the current batch
    (which dreams ``batch`` layers at once)."""

    finished: int
    layers: int
    batch: int
    step: Progress

    @property
    def fraction(self) -> float:
        """0 to 1, for a progress bar."""
        return (self.finished + self.batch * self.step.done / self.step.total) / self.layers


@dataclass(frozen=True)
class SinglePictureResult:
    """What a run wrote: one file per distinct layer (in order) and the contact sheet."""

    out_dir: Path
    pictures: dict[str, Path]
    contact_sheet: Path


def picture_folder(name: str, guided: bool, root: Path = DEFAULT_ROOT) -> Path:
    """``<root>/<picture name>/``, and its ``guided/`` subfolder for a guided run."""
    folder = Path(root) / name
    return folder / GUIDED if guided else folder


def dream_single_picture(
    picture: Picture,
    net: torch.nn.Module,
    layers: Sequence[str] = CUSTOMLOOP,
    out_dir: str | Path | None = None,
    image_type: str = "jpg",
    settings: DreamSettings | None = None,
    guide: Picture | None = None,
    seed: int | None = None,
    chain: bool = False,
    batch_size: int | None = None,
    progress: Callable[[PictureProgress], None] | None = None,
    *,
    runtime: Runtime = DEFAULT_RUNTIME,
    objective_for: Callable[[str], Objective] | None = None,
    name: str | None = None,
    tag: str = "",
) -> SinglePictureResult:
    """Dream ``picture`` once per distinct layer of ``layers``, each from the original picture.

    Writes ``dream_<pic>_L-<layer>_..._(<seconds>sec).<jpg|png>`` per layer and a contact sheet named after the
    settings (``naming.sheet_name``) into ``out_dir`` (default ``data/single_pictures/<picture name>/``, its
    ``guided/`` subfolder with a guide). ``picture`` is a file, or an array with its ``name``.
    ``objective_for(layer)`` replaces the plain L2 objective (e.g. a channel objective), ``tag`` then says so in
    the file names. Layer k uses seed ``seed + k``, so batching does not change a result. ``chain=True`` dreams
    each layer from the previous layer's result instead, the original tool's behaviour (one layer at a time).
    ``batch_size`` layers are dreamed together (default: all of them on CUDA, to fill the GPU at small octaves;
    one at a time on the CPU, where a batch runs every item down to the deepest layer: slower, see
    benchmarks/README.md, "Single picture"). ``seconds`` in a name is the layer's share of its batch's time.
    ``runtime``: where and how each dream runs (device, precision, tiles under a memory budget), and where the
    lines saying what was written go (its ``log``).
    """
    if image_type not in IMAGE_TYPES:
        raise DreamError(f"unknown image type {image_type!r}: use {' or '.join(IMAGE_TYPES)}")
    settings = settings or DEFAULT_SETTINGS
    log = runtime.log
    if name is None:
        if not isinstance(picture, (str, Path)):
            raise DreamError("give the picture's name (name=...) with a picture array: it names the files")
        name = Path(picture).stem
    original = as_rgb_array(Path(picture) if isinstance(picture, str) else picture)
    guide_rgb = None if guide is None else as_rgb_array(guide)  # read once, not once per batch of layers
    todo = distinct(list(layers))
    if not todo:
        raise DreamError("no layers to dream: give at least one")
    for layer in todo:  # all of them before the first hour of dreaming, not after
        check_layer(net, layer)
    folder = Path(out_dir) if out_dir is not None else picture_folder(name, guide is not None)
    inputs = {"picture": picture if isinstance(picture, (str, Path)) else None}
    if isinstance(guide, (str, Path)):
        inputs["guide picture"] = guide
    # Before any dreaming: `-sp pics/contact_sheet.jpg -o pics` must not end with the picture replaced.
    refuse_overwrite([folder / sheet_name(settings, tag)], inputs)
    folder.mkdir(parents=True, exist_ok=True)
    if chain:
        batch_size = 1
    elif batch_size is None:
        batch_size = len(todo) if resolve_device(runtime.device).type == "cuda" else 1

    written: dict[str, Path] = {}
    results: list[np.ndarray] = []
    source = original
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]

        def report(step: Progress, finished: int = start, size: int = len(batch)) -> None:
            if progress is not None:
                progress(PictureProgress(finished, len(todo), size, step))

        began = time.perf_counter()
        dreamed = dream_batch(
            np.repeat(source[None], len(batch), axis=0),
            net,
            batch,
            settings,
            runtime,
            guide=guide_rgb,
            seed=None if seed is None else seed + start,
            progress=report,
            objectives=None if objective_for is None else [objective_for(layer) for layer in batch],
        )
        seconds = (time.perf_counter() - began) / len(batch)
        for layer, result in zip(batch, dreamed, strict=True):
            path = folder / output_name(name, layer, settings, seconds, image_type, tag)
            written[layer] = save_atomic(result, path)
            results.append(result)
            if log is not None:
                log(1, f"{layer}: {path} ({seconds:.1f} s)")
        if chain:
            source = dreamed[-1]

    sheet = contact_sheet([("original", original), *zip(todo, results, strict=True)])
    sheet_path = save_atomic(sheet, folder / sheet_name(settings, tag))
    return SinglePictureResult(folder, written, sheet_path)
