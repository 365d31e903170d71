"""``dream()`` and ``dream_batch()``: the notebook-usable API over the tensor loop in ``loop.py``."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Sequence

import numpy as np
import torch

from deepdream_torch.dreaming.device import (
    autocast,
    memory_format,
    resolve_device,
    resolve_precision,
    tell_precision,
    tune_for,
)
from deepdream_torch.dreaming.dream_net import DreamNet, FoldingNet
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.guide import GuideCache, guide_cache_for
from deepdream_torch.dreaming.layers import DEFAULT_LAYER
from deepdream_torch.dreaming.loop import DreamProgress, dream_tensor, item_generators
from deepdream_torch.dreaming.memory import parse_size
from deepdream_torch.dreaming.min_size import min_side
from deepdream_torch.dreaming.objectives import Objective, guided, l2
from deepdream_torch.dreaming.pixels import Picture, as_rgb_array, mean_tensor, to_net, to_pictures
from deepdream_torch.dreaming.pull import Pull, pull_field
from deepdream_torch.dreaming.settings import (
    DEFAULT_RUNTIME,
    DEFAULT_SETTINGS,
    IMAGENET_MEAN,
    DreamSettings,
    Log,
    Runtime,
    TileMode,
)
from deepdream_torch.dreaming.tiles import Tiler, parse_tile
from deepdream_torch.errors import DeepDreamError

_DEFAULT = DEFAULT_SETTINGS


def dream(
    image: Picture,
    net: DreamNet,
    layer: str = DEFAULT_LAYER,
    octaves: int = _DEFAULT.octaves,
    octave_scale: float = _DEFAULT.octave_scale,
    iterations: int = _DEFAULT.iterations,
    jitter: int = _DEFAULT.jitter,
    step_size: float = _DEFAULT.step_size,
    guide: Picture | None = None,
    mean: tuple[float, float, float] = IMAGENET_MEAN,
    device: str = "auto",
    seed: int | None = None,
    precision: str = "auto",
    progress: Callable[[DreamProgress], None] | None = None,
    *,
    objective: Objective | None = None,
    log: Log | None = None,
    guide_cache: GuideCache | None = None,
    tile: TileMode = "auto",
    max_memory: int | str | None = None,
) -> np.ndarray:
    """Dream one picture; returns the (H, W, 3) uint8 RGB result. The friendly surface: every setting a keyword.

    ``image``: an (H, W, 3) uint8 RGB array, a PIL image or a picture file. ``layer``: the blob to amplify (L2),
    or to pull towards ``guide``'s features when a guide picture is given. ``objective`` replaces both with any
    objective (see ``deepdream_torch.dreaming.objectives``). ``mean``: the model's B, G, R mean. ``seed``: same
    seed, same picture. ``precision``: ``auto`` (the fastest that dreams as fp32 does on this device: bf16 where
    it is native, ``precision.py``), fp32, bf16 or fp16 (CUDA). ``progress`` is called after every step;
    ``log(level, message)`` gets details.
    The net is moved to ``device`` (and to the channels-last layout, which changes none of its results).
    ``max_memory`` (bytes, or text like ``"2GiB"``; default: a share of the free device memory or RAM) bounds
    what the dream may use: ``tile="auto"`` computes a step's gradient tile by tile when the picture would not
    fit otherwise, ``tile=512`` always in tiles of about 512 pixels, ``tile="off"`` never.
    """
    return dream_batch(
        as_rgb_array(image)[None],
        net,
        [layer],
        DreamSettings(octaves, octave_scale, iterations, jitter, step_size, tuple(mean)),
        Runtime(device, precision, tile, max_memory, log),
        guide=guide,
        seed=seed,
        progress=progress,
        objectives=None if objective is None else [objective],
        guide_cache=guide_cache,
    )[0]


def dream_batch(
    images: np.ndarray | Sequence[Picture],
    net: DreamNet,
    layers: str | Sequence[str] = DEFAULT_LAYER,
    settings: DreamSettings = _DEFAULT,
    runtime: Runtime = DEFAULT_RUNTIME,
    *,
    guide: Picture | None = None,
    seed: int | Sequence[int] | None = None,
    progress: Callable[[DreamProgress], None] | None = None,
    objectives: Sequence[Objective] | None = None,
    guide_cache: GuideCache | None = None,
    pulls: Sequence[Pull | None] | None = None,
) -> np.ndarray:
    """Dream N pictures of one size as one batch; returns (N, H, W, 3) uint8 RGB.

    Stable contract (the video pipeline relies on it):

    - ``images``: an (N, H, W, 3) uint8 RGB array, or a sequence of pictures (arrays, PIL images, paths) that
      all have the same size.
    - ``layers``: one blob name for every item, or a sequence with one name per item.
    - ``settings``: what the dream looks like (octaves, scale, iterations, jitter, step size, the model's mean);
      ``runtime``: where and how it runs (device, precision, tiles under a memory budget, log), as in ``dream()``;
      a batch too big for the budget is first dreamed fewer pictures per pass, then tile by tile.
    - ``seed``: an int gives item i the seed ``seed + i``; a sequence gives item i ``seed[i]``; None is random.
      Item i's result equals ``dream(images[i], net, layers[i], ..., seed=<its seed>)``: each item has its own
      target blob, jitter and gradient normalisation (equal up to float rounding of batched convolutions).
    - ``guide``: one guide picture for every item; its blob per layer is computed once and cached per net (or
      in ``guide_cache``) for later calls.
    - ``objectives``: one objective per item, replacing ``layers`` and ``guide``.
    - ``pulls``: None, or one ``Pull`` (or None) per item: every step of that item also moves it towards the
      pull's target where its mask trusts it (``pull.py``; the video modes' temporal term).
    - ``progress`` counts the steps of the whole batch.
    """
    pictures = _as_batch(images)
    count = len(pictures)
    tile = parse_tile(runtime.tile)  # a bad --tile or --max-memory is said before any work
    budget = parse_size(runtime.max_memory) if runtime.max_memory is not None else None
    target = resolve_device(runtime.device)
    dtype = resolve_precision(runtime.precision, target)
    tune_for(target)
    layout = memory_format(target)
    net.to(device=target, memory_format=layout)
    with folded(net):  # the same function in fewer passes (a CaffeNet's batch norms in its convolutions)
        if objectives is None:
            names = _layer_per_item(layers, count)
            objectives = _objectives(net, names, guide, settings.mean, target, dtype, guide_cache)
        else:
            _check_objectives(net, objectives, count)
        generators = _generators(seed, count)
        mean_on_device = mean_tensor(settings.mean, target)
        x = to_net(pictures, mean_on_device).contiguous(memory_format=layout)
        pull = None if pulls is None else pull_field(pulls, pictures.shape[:3], mean_on_device)
        tiler = _tiler(
            net, objectives, pictures.shape[:3], target, (tile, budget), runtime.log, pull is not None, dtype
        )
        tell_precision(runtime.precision, target, runtime.log, runtime.told)  # once every check has passed
        with tiler.heap() if tiler is not None else contextlib.nullcontext():
            result = dream_tensor(
                x, net, objectives, settings, generators, autocast(target, dtype), progress, runtime.log, tiler,
                pull, overwrite=True,
            )
        return to_pictures(result, mean_on_device)


def folded(net: DreamNet) -> contextlib.AbstractContextManager[None]:
    """The block a dream runs in: ``net.folding()`` where the net can fold (``FoldingNet``), else nothing."""
    return net.folding() if isinstance(net, FoldingNet) else contextlib.nullcontext()


def _tiler(
    net: DreamNet,
    objectives: Sequence[Objective],
    batch: tuple[int, int, int],
    target: torch.device,
    tiling: tuple[TileMode, int | None],
    log: Log | None,
    pulled: bool,
    dtype: torch.dtype | None = None,
) -> Tiler | None:
    """The plan of each step's gradient for a ``batch`` of (N, H, W) pictures under ``tiling`` (the tile mode and
    the memory budget), its steps run under autocast to ``dtype`` (None: fp32); None with tiles off (every step
    one pass)."""
    tile, budget = tiling
    if tile == "off":
        return None
    layers_read = [name for objective in objectives for name in objective.layers]
    return Tiler(net, layers_read, batch, target, tile, budget, log, pulled=pulled, dtype=dtype)


def check_layer(net: DreamNet, layer: str) -> None:
    """DreamError naming close matches when ``net`` has no blob ``layer``, or at once when the blob takes one
    input size only (after a fully connected layer: the dream resizes pictures)."""
    try:
        net.check_blob(layer)
    except DeepDreamError as error:
        raise DreamError(f"cannot dream: {error}") from error
    min_side(net, layer)


def _layer_per_item(layers: str | Sequence[str], count: int) -> list[str]:
    names = [layers] * count if isinstance(layers, str) else list(layers)
    if len(names) != count:
        raise DreamError(f"{len(names)} layers given for {count} pictures: give one, or one per picture")
    return names


def _check_objectives(net: DreamNet, objectives: Sequence[Objective], count: int) -> None:
    if len(objectives) != count:
        raise DreamError(f"{len(objectives)} objectives given for {count} pictures: give one per picture")
    for objective in objectives:
        for name in objective.layers:
            check_layer(net, name)


def _generators(seed: int | Sequence[int] | None, count: int) -> list[random.Random]:
    try:
        return item_generators(seed, count)
    except ValueError as error:
        raise DreamError(f"seeds: {error}; give one seed, or one per picture") from error


def _objectives(
    net: DreamNet,
    layers: list[str],
    guide: Picture | None,
    mean: tuple[float, float, float],
    device: torch.device,
    dtype: torch.dtype | None,
    cache: GuideCache | None,
) -> list[Objective]:
    """One objective per item; items naming the same layer share one objective object, so the loop scores
    them in one call."""
    for layer in dict.fromkeys(layers):
        check_layer(net, layer)
    if guide is None:
        shared = {layer: l2(layer) for layer in dict.fromkeys(layers)}
    else:
        guide_rgb = as_rgb_array(guide)
        cache = cache if cache is not None else guide_cache_for(net)
        shared = {
            layer: guided(layer, cache.blob(net, guide_rgb, layer, mean, device, dtype))
            for layer in dict.fromkeys(layers)
        }
    return [shared[layer] for layer in layers]


def _as_batch(images: np.ndarray | Sequence[Picture]) -> np.ndarray:
    if isinstance(images, np.ndarray) and images.ndim == 4:
        if images.dtype != np.uint8 or images.shape[3] != 3:
            raise DreamError(
                f"a batch must be (N, height, width, 3) uint8 RGB; got {images.shape} {images.dtype}"
            )
        if images.shape[0] == 0:
            raise DreamError("an empty batch: give at least one picture")
        return images
    pictures = [as_rgb_array(image) for image in images]
    if not pictures:
        raise DreamError("an empty batch: give at least one picture")
    sizes = {picture.shape for picture in pictures}
    if len(sizes) > 1:
        raise DreamError(f"a batch needs pictures of one size; got {sorted(sizes)}")
    return np.stack(pictures)
