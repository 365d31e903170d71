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
from deepdream_torch.dreaming.loop import DreamProgress
from deepdream_torch.dreaming.objectives import Objective
from deepdream_torch.dreaming.pixels import Picture, as_rgb_array
from deepdream_torch.dreaming.settings import DEFAULT_RUNTIME, DEFAULT_SETTINGS, DreamSettings, Log, Runtime
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
    step: DreamProgress

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


@dataclass(frozen=True)
class PictureOptions:
    """How a single-picture run dreams its layers and names its files.

    ``out_dir`` (default ``data/single_pictures/<picture name>/``, its ``guided/`` subfolder with a guide);
    ``image_type`` jpg or png; layer k uses seed ``seed + k``, so batching does not change a result.
    ``chain=True`` dreams each layer from the previous layer's result instead, the original tool's behaviour
    (one layer at a time). ``batch_size`` layers are dreamed together (default: all of them on CUDA, to fill the
    GPU at small octaves; one at a time on the CPU, where a batch runs every item down to the deepest layer:
    slower, see benchmarks/README.md, "Single picture"). ``name`` names the files (needed for an array).
    ``objective_for(layer)`` replaces the plain L2 objective (e.g. a channel objective), ``tag`` then says so
    in the file names. ``stop_requested()`` is asked before each batch of layers: once it says yes, the run
    ends with ``PictureInterrupted`` (the runner's ``Cancel``), the layers written so far kept.
    """

    out_dir: str | Path | None = None
    image_type: str = "jpg"
    seed: int | None = None
    chain: bool = False
    batch_size: int | None = None
    name: str | None = None
    tag: str = ""
    objective_for: Callable[[str], Objective] | None = None
    stop_requested: Callable[[], bool] | None = None


class PictureInterrupted(DreamError):
    """A single-picture run stopped between two batches of layers: ``done`` layers are written, whole; there is
    no contact sheet. The same run again dreams every layer."""

    def __init__(self, message: str, done: int) -> None:
        super().__init__(message)
        self.done = done


DEFAULT_PICTURE_OPTIONS = PictureOptions()


def dream_single_picture(
    picture: Picture,
    net: torch.nn.Module,
    layers: Sequence[str] = CUSTOMLOOP,
    options: PictureOptions = DEFAULT_PICTURE_OPTIONS,
    *,
    settings: DreamSettings | None = None,
    runtime: Runtime = DEFAULT_RUNTIME,
    guide: Picture | None = None,
    progress: Callable[[PictureProgress], None] | None = None,
) -> SinglePictureResult:
    """Dream ``picture`` once per distinct layer of ``layers``, each from the original picture (or, chained,
    from the previous result: ``options``).

    Writes ``dream_<pic>_L-<layer>_..._(<seconds>sec).<jpg|png>`` per layer and a contact sheet named after the
    settings (``naming.sheet_name``) into ``options.out_dir``. ``picture`` is a file, or an array with its
    ``options.name``. ``seconds`` in a name is the layer's share of its batch's time. ``runtime``: where and how
    each dream runs (device, precision, tiles under a memory budget), and where the lines saying what was
    written go (its ``log``).
    """
    out_dir, image_type, seed, chain = options.out_dir, options.image_type, options.seed, options.chain
    batch_size, tag, objective_for = options.batch_size, options.tag, options.objective_for
    settings = settings or DEFAULT_SETTINGS
    name, original = _named_picture(picture, options.name, image_type)
    todo = _layers_to_dream(net, layers)
    folder = Path(out_dir) if out_dir is not None else picture_folder(name, guide is not None)
    files = _Files(folder, name, settings, image_type, tag, runtime.log)
    _refuse_overwriting_inputs(folder / sheet_name(settings, tag), picture, guide)
    folder.mkdir(parents=True, exist_ok=True)
    if chain or batch_size is None:
        batch_size = 1 if chain or resolve_device(runtime.device).type != "cuda" else len(todo)
    guide_rgb = None if guide is None else as_rgb_array(guide)  # read once, not once per batch of layers
    written: dict[str, Path] = {}
    results: list[np.ndarray] = []
    source = original
    for start in range(0, len(todo), batch_size):
        if options.stop_requested is not None and options.stop_requested():
            raise PictureInterrupted(
                f"interrupted: {start} of {len(todo)} layers written to {folder}, no contact sheet; run the same"
                " command again to dream them all",
                start,
            )
        batch = todo[start : start + batch_size]
        began = time.perf_counter()
        dreamed = dream_batch(
            np.repeat(source[None], len(batch), axis=0), net, batch, settings, runtime, guide=guide_rgb,
            seed=None if seed is None else seed + start, progress=_reporter(progress, start, len(todo), len(batch)),
            objectives=None if objective_for is None else [objective_for(layer) for layer in batch],
        )  # fmt: skip
        seconds = (time.perf_counter() - began) / len(batch)
        for layer, result in zip(batch, dreamed, strict=True):
            written[layer] = files.write(layer, result, seconds)
            results.append(result)
        source = dreamed[-1] if chain else source
    sheet = contact_sheet([("original", original), *zip(todo, results, strict=True)])
    return SinglePictureResult(folder, written, save_atomic(sheet, folder / sheet_name(settings, tag)))


@dataclass(frozen=True)
class _Files:
    """Where a single-picture run writes, and how it names what it writes (``naming.output_name``)."""

    folder: Path
    name: str
    settings: DreamSettings
    image_type: str
    tag: str
    log: Log | None

    def write(self, layer: str, result: np.ndarray, seconds: float) -> Path:
        path = save_atomic(result, self.folder / output_name(self.name, layer, self.settings, seconds, self.image_type, self.tag))
        if self.log is not None:
            self.log(1, f"{layer}: {path} ({seconds:.1f} s)")
        return path


def _named_picture(picture: Picture, name: str | None, image_type: str) -> tuple[str, np.ndarray]:
    """The name the files take and the picture's pixels; DreamError for an unknown image type or a nameless array."""
    if image_type not in IMAGE_TYPES:
        raise DreamError(f"unknown image type {image_type!r}: use {' or '.join(IMAGE_TYPES)}")
    if name is None:
        if not isinstance(picture, (str, Path)):
            raise DreamError("give the picture's name (name=...) with a picture array: it names the files")
        name = Path(picture).stem
    return name, as_rgb_array(Path(picture) if isinstance(picture, str) else picture)


def _layers_to_dream(net: torch.nn.Module, layers: Sequence[str]) -> list[str]:
    """Each layer once, every one checked before the first hour of dreaming, not after."""
    todo = distinct(list(layers))
    if not todo:
        raise DreamError("no layers to dream: give at least one")
    for layer in todo:
        check_layer(net, layer)
    return todo


def _refuse_overwriting_inputs(sheet: Path, picture: Picture, guide: Picture | None) -> None:
    """Before any dreaming: ``-sp pics/contact_sheet.jpg -o pics`` must not end with the picture replaced."""
    inputs = {"picture": picture if isinstance(picture, (str, Path)) else None}
    if isinstance(guide, (str, Path)):
        inputs["guide picture"] = guide
    refuse_overwrite([sheet], inputs)


def _reporter(
    progress: Callable[[PictureProgress], None] | None, finished: int, layers: int, batch: int
) -> Callable[[DreamProgress], None]:
    """The dream's per-step callback of one batch of layers, as ``PictureProgress`` events."""

    def report(step: DreamProgress) -> None:
        if progress is not None:
            progress(PictureProgress(finished, layers, batch, step))

    return report
