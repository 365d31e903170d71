"""The dream loop on tensors: octaves, then jittered gradient-ascent steps (the step rule and the jitter are at the
end of this file). Nothing in here leaves the device.

``dream_tensor`` is the kernel under ``dream()`` and ``dream_batch()``, which move pictures to and from the
device around it; a caller that keeps pictures on the device can call it directly.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import torch

from deepdream_torch.dreaming.dream_net import DreamNet
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.min_size import min_side
from deepdream_torch.dreaming.objectives import Objective
from deepdream_torch.dreaming.octaves import octave_sizes, resize, usable_octaves
from deepdream_torch.dreaming.pull import PullField
from deepdream_torch.dreaming.settings import DreamSettings, Log
from deepdream_torch.dreaming.tiles import Tiler


@dataclass(frozen=True)
class DreamProgress:
    """Where a dream is: ``done`` of ``total`` steps; octave 1 is the smallest one dreamed."""

    octave: int
    octaves: int
    iteration: int
    iterations: int
    done: int
    total: int


def dream_tensor(
    x: torch.Tensor,
    net: DreamNet,
    objectives: Sequence[Objective],
    settings: DreamSettings,
    generators: Sequence[random.Random],
    amp: AbstractContextManager,
    progress: Callable[[DreamProgress], None] | None = None,
    log: Log | None = None,
    tiler: Tiler | None = None,
    pull: PullField | None = None,
    overwrite: bool = False,
) -> torch.Tensor:
    """Dream the (N, 3, H, W) net-space batch ``x``; item i ascends ``objectives[i]`` with shifts from
    ``generators[i]``. Returns the dreamed batch, same shape, same device. ``tiler`` plans each step's gradient
    under a memory budget (fewer items per pass, tiles); without it every step is one pass. ``pull`` (full size)
    moves every step of every octave towards its target there (``pull.py``), resized to the octave, and may
    leave an item fewer octaves. ``overwrite``: the caller is done with ``x``, so the full size is dreamed in its
    memory (one full-size copy fewer) and ``x`` is the result.

    Each item uses the octaves its objective's blobs can be reached from; an item that needs bigger pictures
    than the others joins the batch at a later (larger) octave, exactly as it would start alone.
    """
    n, _, height, width = x.shape
    mean = x.new_tensor(settings.mean).view(1, 3, 1, 1)
    low, high = -mean, 255 - mean
    sizes = octave_sizes(height, width, settings.octaves, settings.octave_scale)
    usable = _usable_per_item(net, objectives, sizes, log, pull)

    # Items sorted by octave count, most first, so the items dreaming at any octave are a prefix of the batch.
    order = sorted(range(n), key=lambda i: -usable[i])
    reordered = _reorder(x, order)
    overwrite = overwrite or reordered is not x  # a reordered batch is the loop's own
    x = reordered
    objectives, generators, usable = ([items[i] for i in order] for items in (objectives, generators, usable))
    pull = None if pull is None else pull.reorder(order)
    ascent = Ascent(net, settings, low, high, amp, tiler)

    # Full-size copies are what no tile plan shrinks, so the loop keeps as few as the algorithm needs
    # (memory.PICTURE_COPIES counts them): the picture it dreams (changed in place; the source ``x`` too, unless
    # ``overwrite``) and a step's gradient. The smaller octaves' bases are dropped as the dream climbs out of them.
    bases = [x]
    for size in sizes[1 : usable[0]]:
        bases.append(resize(bases[-1], size))
    detail: torch.Tensor | None = None
    for level in reversed(range(usable[0])):
        base = bases.pop()
        image = _octave_picture(base, detail, sizes[level], in_place=level == 0 and overwrite)
        detail = None
        active = sum(1 for count in usable if count > level)
        part = image[:active]  # a view: the steps change the image in place
        pulled = None if pull is None else pull.at(sizes[level]).first(active)
        for iteration in range(settings.iterations):
            step_in_place(part, ascent, objectives[:active], generators[:active], pulled)
            if progress is not None:
                progress(_progress(usable[0] - level, usable[0], iteration + 1, settings.iterations))
        del part, pulled
        if level > 0:
            detail = image.sub_(base)
    return _reorder(image, sorted(range(n), key=order.__getitem__))


def _usable_per_item(
    net: DreamNet,
    objectives: Sequence[Objective],
    sizes: list[tuple[int, int]],
    log: Log | None,
    pull: PullField | None,
) -> list[int]:
    """How many octaves each item dreams: those its objective's blobs can be reached from, and a pulled item may
    start at a finer octave (a picture refined, not dreamed anew)."""
    usable = [usable_octaves_for(net, objective, sizes, log) for objective in objectives]
    return usable if pull is None else [pull.cap(i, count) for i, count in enumerate(usable)]


def _octave_picture(
    base: torch.Tensor, detail: torch.Tensor | None, size: tuple[int, int], in_place: bool
) -> torch.Tensor:
    """The picture an octave dreams: its ``base`` plus the smaller octave's ``detail``, resized (nothing else
    holds that detail after). ``in_place``: into ``base``'s own memory (the loop's last octave, when it may)."""
    if in_place:
        return base if detail is None else base.add_(resize(detail, size))
    return base.clone() if detail is None else resize(detail, size).add_(base)


def _progress(octave: int, octaves: int, iteration: int, iterations: int) -> DreamProgress:
    """Where the loop is after ``iteration`` of ``octave`` (1 the smallest dreamed)."""
    done = (octave - 1) * iterations + iteration
    return DreamProgress(octave, octaves, iteration, iterations, done, octaves * iterations)


def usable_octaves_for(
    net: DreamNet, objective: Objective, sizes: list[tuple[int, int]], log: Log | None
) -> int:
    """How many of the octave ``sizes`` the net can take down to every blob ``objective`` reads."""
    height, width = sizes[0]
    needed = max(min_side(net, layer) for layer in objective.layers)
    count = usable_octaves(sizes, needed)
    if count == 0:
        raise DreamError(
            f"the picture ({width}x{height}) is too small for {objective.name}: the net needs at least"
            f" {needed}x{needed} pixels to reach it"
        )
    if count < len(sizes) and log is not None:
        log(
            2,
            f"{objective.name}: {count} of {len(sizes)} octaves (smaller ones are under the"
            f" {needed}x{needed} pixels the net needs)",
        )
    return count


@dataclass(frozen=True)
class Ascent:
    """What every step of one dream shares: the ``net``, the ``settings`` (jitter, step size), the clip bounds
    (per channel, ``low`` = -mean and ``high`` = 255 - mean), the autocast context ``amp`` and the ``tiler``
    that plans the gradient (None: one pass)."""

    net: DreamNet
    settings: DreamSettings
    low: torch.Tensor
    high: torch.Tensor
    amp: AbstractContextManager
    tiler: Tiler | None = None


def dream_step(
    x: torch.Tensor,
    net: DreamNet,
    objectives: Sequence[Objective],
    generators: Sequence[random.Random],
    settings: DreamSettings,
    low: torch.Tensor,
    high: torch.Tensor,
    amp: AbstractContextManager,
    tiler: Tiler | None = None,
    pull: PullField | None = None,
) -> torch.Tensor:
    """One step: shift, the objectives' gradient (tile by tile when ``tiler`` plans tiles), ascend with the
    gradient of the whole picture, unshift, pull towards ``pull``'s target (where it has one), clip. Returns the
    new picture; ``x`` is left as it is (the loop steps its own copy in place: ``step_in_place``)."""
    moved = x.clone()
    step_in_place(moved, Ascent(net, settings, low, high, amp, tiler), objectives, generators, pull)
    return moved


def step_in_place(
    x: torch.Tensor,
    ascent: Ascent,
    objectives: Sequence[Objective],
    generators: Sequence[random.Random],
    pull: PullField | None = None,
) -> None:
    """``dream_step`` on ``x`` itself. Shifting the picture, ascending and shifting back is ascending with the
    gradient shifted back (a roll only moves pixels), so besides ``x`` the step holds one full-size copy, its
    gradient: the tiler reads its crops through the shift."""
    shifts = [draw_shift(generator, ascent.settings.jitter) for generator in generators]

    def of(items: slice, picture: torch.Tensor) -> torch.Tensor:
        return gradient(picture, ascent.net, objectives[items], ascent.amp)

    if ascent.tiler is None:
        grad = roll_each(of(slice(None), roll_each(x, shifts)), [(-down, -right) for down, right in shifts])
    else:
        grad = ascent.tiler.gradient(x, of, shifts)
    ascend_in_place(x, grad, ascent.settings.step_size)
    del grad
    pull_in_place(x, pull)
    x.clamp_(ascent.low, ascent.high)


def gradient(
    x: torch.Tensor, net: DreamNet, objectives: Sequence[Objective], amp: AbstractContextManager
) -> torch.Tensor:
    """The gradient of the objectives' score with respect to the pictures ``x`` (item i scored by
    ``objectives[i]``), and to nothing else."""
    x = x.detach().requires_grad_(True)
    layers = list(dict.fromkeys(layer for objective in objectives for layer in objective.layers))
    with amp:
        blobs = net(x, outputs=layers)
        score = _batch_score(blobs, objectives)
    # backward(inputs=...) computes the input's gradient only, like autograd.grad, and unlike it runs under
    # FlopCounterMode, which the benchmark counts this step with.
    score.backward(inputs=[x])
    return x.grad


def _batch_score(blobs: dict[str, torch.Tensor], objectives: Sequence[Objective]) -> torch.Tensor:
    """The sum of each item's objective on its own slice; runs of items sharing an objective are scored in one
    call."""
    total = None
    start = 0
    while start < len(objectives):
        stop = start + 1
        while stop < len(objectives) and objectives[stop] is objectives[start]:
            stop += 1
        objective = objectives[start]
        whole = start == 0 and stop == len(objectives)
        part = objective(blobs if whole else {name: blobs[name][start:stop] for name in objective.layers})
        total = part if total is None else total + part
        start = stop
    return total


def _reorder(x: torch.Tensor, order: list[int]) -> torch.Tensor:
    if order == sorted(order):
        return x
    return torch.stack([x[i] for i in order])


# The ascent rule, as pure functions of tensors.

# A blank gradient (every unit of the target blob dead) would divide 0 by 0; with this floor it moves nothing.
_SMALLEST_MEAN = 1e-12
# Rows of a picture a mixed-dtype ascent adds at once: its temporary is this many rows (1080p: 1.5 MB).
_ROWS_AT_ONCE = 64


def ascend(x: torch.Tensor, grad: torch.Tensor, step_size: float) -> torch.Tensor:
    """``x + step_size / mean(|grad|) * grad``, the mean taken per item so each item takes the step it would
    take alone."""
    scale = grad.abs().mean(dim=(1, 2, 3), keepdim=True).clamp_min(_SMALLEST_MEAN)
    return x + grad * (step_size / scale)


def ascend_in_place(x: torch.Tensor, grad: torch.Tensor, step_size: float) -> None:
    """``ascend`` into ``x``, using ``grad``'s memory for the scaled step: no other full-size copy. The mean
    |grad| is a 1-norm over the item, which needs no copy of |grad| either."""
    per_item = grad[0].numel()
    scale = torch.linalg.vector_norm(grad, 1, dim=(1, 2, 3), keepdim=True).div_(per_item)
    grad.mul_(step_size / scale.clamp_min_(_SMALLEST_MEAN))
    if grad.dtype == x.dtype:
        x.add_(grad)
        return
    # A bf16 gradient (tiles.py keeps a bf16 step's in bf16): the CPU casts a mixed-dtype operand into a temporary
    # as large as the operand, so the add goes a band of rows at a time.
    for top in range(0, x.shape[2], _ROWS_AT_ONCE):
        x[:, :, top : top + _ROWS_AT_ONCE].add_(grad[:, :, top : top + _ROWS_AT_ONCE])


def pull_in_place(x: torch.Tensor, field: PullField | None) -> None:
    """``apply_pull`` into ``x``: ``x + strength · (target − x)``, the same numbers as ``x − strength · (x −
    target)``, with one full-size copy while it runs."""
    if field is None:
        return
    x.add_(field.towards(x).mul_(field.strength))


def clip(x: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    """Keep every value a pixel can hold: per channel, from -mean to 255 - mean."""
    return torch.minimum(torch.maximum(x, low), high)


# Random jitter: each item draws its shifts from its own generator, so an item dreams the same in any batch.

def item_generators(seed: int | Sequence[int] | None, count: int) -> list[random.Random]:
    """One generator per item: ``seed + i`` for an int seed, ``seed[i]`` for a list, fresh entropy for None."""
    if seed is None:
        return [random.Random() for _ in range(count)]
    if isinstance(seed, numbers.Integral):  # numpy integers too
        return [random.Random(int(seed) + i) for i in range(count)]
    seeds = list(seed)
    if len(seeds) != count:
        raise ValueError(f"{len(seeds)} seeds for {count} items")
    return [random.Random(s) for s in seeds]


def draw_shift(generator: random.Random, jitter: int) -> tuple[int, int]:
    """A (down, right) shift, each in [-jitter, jitter]. Drawn on the host from a Python generator: no tensor
    leaves the device for it."""
    right = generator.randint(-jitter, jitter)
    down = generator.randint(-jitter, jitter)
    return down, right


def roll_each(x: torch.Tensor, shifts: Sequence[tuple[int, int]]) -> torch.Tensor:
    """Roll each item of (N, C, H, W) by its own (down, right) shift, wrapping around the edges."""
    if len(set(shifts)) == 1:
        return torch.roll(x, shifts=shifts[0], dims=(2, 3))
    return torch.cat([torch.roll(x[i : i + 1], shifts=s, dims=(2, 3)) for i, s in enumerate(shifts)])
