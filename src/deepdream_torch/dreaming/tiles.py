"""A step's gradient under a memory budget: fewer items per pass, then whichever is predicted fastest of
recomputing parts of the net in the backward pass (``recompute.py``) and going tile by tile, each tile with a margin.

The gradient of a tile's core is computed on the core plus a margin of context that is then cropped away, and the
tiles' cores are put together into the whole picture's gradient, which the step then normalises as one (see
``step.ascend``): a tiled step follows the same rule as an untiled one. With a margin covering the blob's receptive
field and tiles on the blob's grid, the two are equal; the default margin is 15 % of it, as the gradient comes
mostly from the middle of the field (see bench_tiles.py for the seams that leaves). The loop rolls the whole
picture by the jitter every step, so tile borders never stay in one place.
"""

from __future__ import annotations

import contextlib
import functools
import math
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import torch

from deepdream_torch.dreaming.dream_net import DreamNet
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.memory import (
    default_budget,
    format_size,
    loop_bytes,
    parse_size,
    release_freed_memory,
    small_heap,
    step_memory,
    step_room,
    with_runtime,
)
from deepdream_torch.dreaming.min_size import min_side
from deepdream_torch.dreaming.receptive_field import reach
from deepdream_torch.dreaming.recompute import Recompute, RecomputeModel, recompute_model
from deepdream_torch.dreaming.settings import Log, TileMode

Gradient = Callable[[slice, torch.Tensor], torch.Tensor]  # (items, their picture or a crop of it) -> its gradient

# The margin's share of the receptive field: see the module docstring.
MARGIN_SHARE = 0.15
# Tiles are not cut below this side (nor below the blob's stride): smaller ones are mostly margin.
_SMALLEST_TILE = 32
# The most tiles along one side a budget is met with (64 x 64 tiles of a 7680x4320 frame: 120x68 pixels each).
_MOST_TILES = 64
# What a step recomputing parts of the net holds beyond what the recomputation model plans, as a share of it: 1080p
# GoogLeNet bf16 steps in tiles recomputing 3 to 6 parts went 5-10 % over budgets that tiles without recomputation
# kept (benchmarks/README.md, "Memory model").
RECOMPUTE_MARGIN = 0.25
# A budget no plan meets (less than the dream's own copies of the picture need) gets the plan needing the least
# memory among those predicted to take at most this many times an untiled step: smaller tiles would be mostly margin.
_MOST_COST = 2.0


@dataclass(frozen=True)
class TilePlan:
    """How one step's gradient is computed: ``items`` pictures per pass, and, when ``tile`` is set, tiles of that
    (height, width) core with ``margin`` pixels of context on every inner side, crops at least ``least`` pixels
    long and on the ``stride`` grid; the net's steps in the ``recompute`` ranges recomputed in the backward pass
    instead of kept (``CaffeNet.recomputing``). ``cost``: the predicted time over a plain untiled step's, the
    pixels computed over the pixels kept times the recomputation's extra forward work."""

    items: int
    tile: tuple[int, int] | None = None
    margin: int = 0
    least: int = 1
    stride: int = 1
    recompute: tuple[tuple[int, int], ...] = ()
    cost: float = 1.0

    def describe(self) -> str:
        parts = [f"{self.items} picture(s) per pass"]
        if self.tile is not None:
            parts = [f"tiles of {self.tile[1]}x{self.tile[0]} with a {self.margin}-pixel margin"]
        if self.recompute:
            parts.append(f"recomputing {len(self.recompute)} part(s) of the net in the backward pass")
        return ", ".join(parts) + f"; predicted cost {self.cost:.2f}x an untiled step"


@dataclass(frozen=True)
class Span:
    """One tile along one axis: the ``crop`` the net sees, the ``core`` it gives the gradient of, and where that
    core lies ``inside`` the crop."""

    crop: slice
    core: slice
    inside: slice


def spans(length: int, core: int, margin: int, least: int = 1, stride: int = 1) -> list[Span]:
    """Tiles of ``core`` pixels along ``length``, each crop reaching at least ``margin`` further where the picture
    goes on, at least ``least`` long (the smallest picture the net takes) and starting on the ``stride`` grid. Every
    crop has the same length (an interior tile's), the tiles at the picture's ends reaching further inwards
    instead of being cut short (the last one up to ``stride - 1`` longer, to start on the grid): one crop shape
    runs the same kernels and reuses the same memory tile after tile, where each shorter crop at an end was a
    shape of its own (new oneDNN kernels, new blocks: benchmarks/README.md, "Memory model")."""
    size = min(length, max(core + 2 * margin, least))
    found = []
    for start in range(0, length, core):
        stop = min(length, start + core)
        high = min(length, max(stop + margin, max(0, start - margin) + size))
        low = max(0, high - size) // stride * stride
        found.append(Span(slice(low, high), slice(start, stop), slice(start - low, stop - low)))
    return found


def tile_work(length: int, core: int, margin: int) -> float:
    """The pixels the crops of ``spans(length, core, margin)`` hold along one side over ``length``: the work of
    tiling that side (1.0: one pass)."""
    count = _ceil_div(length, core)
    return 1.0 if count == 1 else count * min(length, core + 2 * margin) / length


def tiled_gradient(
    x: torch.Tensor,
    gradient: Gradient,
    plan: TilePlan,
    shifts: Sequence[tuple[int, int]] | None = None,
    release: bool = True,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """The gradient of the (N, C, H, W) picture ``x`` rolled by ``shifts`` (one (down, right) per item, wrapping
    around; None: not rolled), computed as ``plan`` says and rolled back into ``x``'s own frame. The rolled
    picture is never made whole: each pass reads its crop through the roll, so the loop holds no shifted copy.
    With ``release`` (a budget that binds), the memory each pass freed goes back to the system after it. Tiles
    put their gradients together in ``dtype`` (None: ``x``'s): a bf16 step's input gradient comes back through
    autocast's cast of the picture, so it holds bf16 values, and keeping it in bf16 loses nothing and half the
    memory of that full-size copy."""
    n, _, height, width = x.shape
    shifts = list(shifts) if shifts is not None else [(0, 0)] * n
    layout = torch.channels_last if x.is_contiguous(memory_format=torch.channels_last) else torch.contiguous_format
    everything = [Span(slice(0, height), slice(0, height), slice(0, height))]
    across = [Span(slice(0, width), slice(0, width), slice(0, width))]
    if plan.tile is None and plan.items >= n:  # one pass: the net's input is the one rolled copy there is
        shifted = _rolled_crop(x, everything[0].crop, across[0].crop, shifts).contiguous(memory_format=layout)
        grad = gradient(slice(0, n), shifted)
        del shifted
        if release:  # the pass's blobs, before the smaller octave's holes meet the next's
            release_freed_memory(x.device)
        if all(shift == (0, 0) for shift in shifts):
            return grad
        back = [(-down, -right) for down, right in shifts]
        return _rolled_crop(grad, everything[0].crop, across[0].crop, back).contiguous(memory_format=layout)
    whole = torch.empty_like(x, dtype=dtype)
    for start in range(0, n, plan.items):
        items = slice(start, min(n, start + plan.items))
        if plan.tile is None:
            grid = [(everything[0], across[0])]
        else:
            grid = [
                (rows, cols)
                for rows in spans(height, plan.tile[0], plan.margin, plan.least, plan.stride)
                for cols in spans(width, plan.tile[1], plan.margin, plan.least, plan.stride)
            ]
        # Tiles of one crop shape one after another: each reuses the blocks the last one freed, and the memory
        # goes back to the system only when the shape changes (and after the last), not after every tile.
        grid.sort(key=_crop_shape)
        for index, (rows, cols) in enumerate(grid):
            crop = _rolled_crop(x[items], rows.crop, cols.crop, shifts[items]).contiguous(memory_format=layout)
            core = gradient(items, crop)[..., rows.inside, cols.inside]
            del crop
            _put_rolled(whole[items], rows.core, cols.core, shifts[items], core)
            del core
            if release and (index + 1 == len(grid) or _crop_shape(grid[index + 1]) != _crop_shape((rows, cols))):
                release_freed_memory(x.device)
    return whole


def _crop_shape(tile: tuple[Span, Span]) -> tuple[int, int]:
    rows, cols = tile
    return rows.crop.stop - rows.crop.start, cols.crop.stop - cols.crop.start


def _wrapped(span: slice, shift: int, length: int, device: torch.device) -> torch.Tensor | slice:
    """Where the rolled picture's ``span`` lies in the unrolled one: a slice when it does not wrap, else indices."""
    start, stop = span.start - shift, span.stop - shift
    if 0 <= start and stop <= length:
        return slice(start, stop)
    if length <= start or stop <= 0:
        offset = -length if length <= start else length
        return slice(start + offset, stop + offset)
    return torch.arange(start, stop, device=device) % length


def _rolled_crop(
    x: torch.Tensor, rows: slice, cols: slice, shifts: Sequence[tuple[int, int]]
) -> torch.Tensor:
    """``roll_each(x, shifts)[..., rows, cols]`` without rolling the whole picture."""
    if len(set(shifts)) > 1:
        return torch.cat([_rolled_crop(x[i : i + 1], rows, cols, [s]) for i, s in enumerate(shifts)])
    (down, right), (height, width) = shifts[0], x.shape[-2:]
    if (rows.start, rows.stop, cols.start, cols.stop) == (0, height, 0, width):
        return torch.roll(x, shifts=(down, right), dims=(2, 3)) if (down, right) != (0, 0) else x
    r, c = _wrapped(rows, down, height, x.device), _wrapped(cols, right, width, x.device)
    if isinstance(r, slice) and isinstance(c, slice):
        return x[..., r, c]
    r = r if isinstance(r, torch.Tensor) else torch.arange(r.start, r.stop, device=x.device)
    c = c if isinstance(c, torch.Tensor) else torch.arange(c.start, c.stop, device=x.device)
    return x[:, :, r[:, None], c[None, :]]


def _put_rolled(
    whole: torch.Tensor, rows: slice, cols: slice, shifts: Sequence[tuple[int, int]], part: torch.Tensor
) -> None:
    """``whole`` rolled by ``shifts`` gets ``part`` at ``rows``, ``cols``: written where those pixels came from."""
    if len(set(shifts)) > 1:
        for i, shift in enumerate(shifts):
            _put_rolled(whole[i : i + 1], rows, cols, [shift], part[i : i + 1])
        return
    (down, right), (height, width) = shifts[0], whole.shape[-2:]
    r, c = _wrapped(rows, down, height, whole.device), _wrapped(cols, right, width, whole.device)
    if isinstance(r, slice) and isinstance(c, slice):
        whole[..., r, c] = part
        return
    r = r if isinstance(r, torch.Tensor) else torch.arange(r.start, r.stop, device=whole.device)
    c = c if isinstance(c, torch.Tensor) else torch.arange(c.start, c.stop, device=whole.device)
    whole[:, :, r[:, None], c[None, :]] = part.to(whole.dtype)


def parse_tile(value: TileMode) -> TileMode:
    """``auto``, ``off`` or a tile side of at least 1 pixel (an int or its digits); DreamError otherwise."""
    text = str(value).strip().lower()
    if text in ("auto", "off"):
        return text
    if not text.isdigit() or int(text) < 1:
        raise DreamError(f"tile {value!r} not understood: use auto, off, or a tile side in pixels such as 512")
    return int(text)


@dataclass
class _NetState:
    """What a net's dreams learnt: a budget cap after a device ran out of memory, the messages said once, and the
    plans made (by layers, tile mode, margin share, free bytes, then picture shape): a video's every frame is
    planned once."""

    cap: int | None = None
    said: set[str] = field(default_factory=set)
    plans: dict[tuple, dict[tuple[int, int, int], TilePlan]] = field(default_factory=dict)


_states: weakref.WeakKeyDictionary[object, _NetState] = weakref.WeakKeyDictionary()


class Tiler:
    """Plans each step of one dream under the budget and runs it; on an out-of-memory error frees the cache and
    retries with smaller tiles (and remembers the smaller budget for the net's later dreams)."""

    def __init__(
        self,
        net: DreamNet,
        layers: Iterable[str],
        picture: tuple[int, int, int],
        device: torch.device,
        tile: TileMode = "auto",
        max_memory: int | str | None = None,
        log: Log | None = None,
        margin_share: float = MARGIN_SHARE,
        pulled: bool = False,
        dtype: torch.dtype | None = None,
    ):
        self.net, self.layers, self.device, self.log = net, tuple(dict.fromkeys(layers)), device, log
        self.margin_share = margin_share
        self.tile = parse_tile(tile)
        self.budget = parse_size(max_memory) if max_memory is not None else default_budget(device)
        self.given = max_memory is not None
        self.picture = picture  # (items, height, width) of the whole dream: its loop's copies share the budget
        self.pulled = pulled  # a pull's copies (pull.py) share it too
        self.dtype = dtype  # the autocast dtype the steps run in (None: fp32): what their blobs are planned in
        self.state = _states.setdefault(net, _NetState())
        key = (self.layers, self.tile, margin_share, self._free() // 2**20, str(dtype))
        self.plans = self.state.plans.setdefault(key, {})

    def gradient(
        self, x: torch.Tensor, gradient: Gradient, shifts: Sequence[tuple[int, int]] | None = None
    ) -> torch.Tensor:
        """``x``'s gradient by ``gradient``, in tiles when the plan says so; with ``shifts``, the gradient of ``x``
        rolled by them, rolled back (``tiled_gradient``)."""
        shape = (x.shape[0], x.shape[2], x.shape[3])
        while True:
            plan = self.plan(*shape)
            try:
                if not plan.recompute:
                    return tiled_gradient(x, gradient, plan, shifts, self.tight, self.dtype)
                with self.net.recomputing(plan.recompute):
                    return tiled_gradient(x, gradient, plan, shifts, self.tight, self.dtype)
            except torch.cuda.OutOfMemoryError:
                if self.tile == "off":
                    raise
                self._free_device_cache()
                self._shrink(plan, shape)

    @functools.cached_property
    def tight(self) -> bool:
        """Whether this dream's memory must be held to its budget step by step: a budget given (``max_memory``), a
        tile side given, or a default budget its full-size step does not fit in one pass. Then the heap is kept
        small (``heap()``) and each pass's freed memory handed back; a dream with room to spare skips both and
        reuses its blocks (benchmarks/README.md, "Memory model")."""
        if self.tile == "off":
            return False
        if self.given or isinstance(self.tile, int):
            return True
        items, height, width = self.picture
        return step_memory(self.net, self.layers, self.dtype).bytes(items, height, width) > self._free()

    def heap(self) -> contextlib.AbstractContextManager[None]:
        """The block the dream's steps run in: the heap kept small where the dream is ``tight``."""
        return small_heap(self.device) if self.tight else contextlib.nullcontext()

    def plan(self, items: int, height: int, width: int) -> TilePlan:
        key = (items, height, width)
        if key not in self.plans:
            self.plans[key] = self._choose(items, height, width)
            if self.plans[key] != TilePlan(items):
                self._say(2, f"{width}x{height}: {self.plans[key].describe()} (memory budget {self._budget_text()})")
        return self.plans[key]

    def _choose(self, items: int, height: int, width: int) -> TilePlan:
        if self.tile == "off":
            return TilePlan(items)
        if isinstance(self.tile, int):
            return self._tiles(items, height, width, self.tile)
        memory, free = step_memory(self.net, self.layers, self.dtype), self._free((height, width))
        if memory.bytes(items, height, width) <= free:
            return TilePlan(items)
        fitting = int(free // max(1, memory.bytes(1, height, width)))
        if fitting >= 1:
            return TilePlan(fitting)
        return self._cheapest(height, width, free)

    def _cheapest(self, height: int, width: int, free: int) -> TilePlan:
        """Of one pass and the grids of tiles no smaller than their margins (up to _MOST_TILES a side), each with
        the cheapest recomputation that fits in ``free``, the plan of the least predicted time: margins are work
        done twice (1920x1080 in 2 tiles side by side costs less than in 4 squares), recomputing a part of the
        net is one more forward of it. When none fits, the one needing the least memory of those predicted to cost
        at most _MOST_COST, said at -v 1. A blob that sees the whole picture can only be recomputed."""
        model = recompute_model(self.net, self.layers, self.dtype)
        try:
            stride, margin = self._grid()
        except DreamError:
            if model is None:
                raise
            stride, margin, whole = 1, max(height, width), True  # one tile: the picture
        else:
            whole = False
        least = max(min_side(self.net, layer) for layer in self.layers)
        memory = step_memory(self.net, self.layers, self.dtype)
        choices: list[Recompute] = model.choices() if model is not None else [()]

        def needs(crop: tuple[int, int], runs: Recompute) -> int:
            if model is None:
                return memory.bytes(1, *crop)
            return math.ceil(model.bytes(1, *crop, runs) * (1 + (RECOMPUTE_MARGIN if runs else 0)))

        smallest = max(stride, margin, _SMALLEST_TILE)  # a smaller core would be mostly margin
        best: tuple[float, TilePlan] | None = None
        frugal: tuple[int, TilePlan] | None = None
        for rows in range(1, min(_MOST_TILES, max(1, height // smallest)) + 1):
            for cols in range(1, min(_MOST_TILES, max(1, width // smallest)) + 1):
                core = [_ceil_div(_ceil_div(n, count), stride) * stride for n, count in ((height, rows), (width, cols))]
                core = [min(n, c) for n, c in zip((height, width), core)]
                crop = (min(height, core[0] + 2 * margin), min(width, core[1] + 2 * margin))
                work = tile_work(height, core[0], margin) * tile_work(width, core[1], margin)
                tile = None if rows == cols == 1 else (core[0], core[1])
                for runs in choices:  # cheapest first
                    plan = TilePlan(1, tile, margin if tile else 0, least, stride, self._ranges(model, runs),
                                    round(work * (1 + (model.extra_work(runs) if model else 0.0)), 3))  # fmt: skip
                    needed = needs(crop, runs)
                    if plan.cost <= _MOST_COST and (frugal is None or needed < frugal[0]):
                        frugal = (needed, plan)
                    if needed <= free:
                        if best is None or plan.cost < best[0]:
                            best = (plan.cost, plan)
                        break
        if best is not None:
            return best[1]
        if whole:
            self._grid()  # says why tiles cannot help
        assert frugal is not None  # one pass, nothing recomputed, costs 1.0
        self._say(1, f"{width}x{height} needs more memory than the budget ({self._budget_text()}) leaves a step:"
                     f" using the least of the plans at most {_MOST_COST:g}x as slow as an untiled step"
                     f" ({format_size(frugal[0])} for the step); raise --max-memory if it fails")  # fmt: skip
        return frugal[1]

    @staticmethod
    def _ranges(model: RecomputeModel | None, runs: Recompute) -> tuple[tuple[int, int], ...]:
        return () if model is None or not runs else model.ranges(runs)

    def _tiles(self, items: int, height: int, width: int, side: int) -> TilePlan:
        """Tiles of about ``side`` pixels, evened out over the picture and put on the blob's grid."""
        stride, margin = self._grid()
        core = []
        for length in (height, width):
            count = _ceil_div(length, max(1, side))
            core.append(min(length, _ceil_div(_ceil_div(length, count), stride) * stride))
        if core[0] >= height and core[1] >= width:
            return TilePlan(items)
        least = max(min_side(self.net, layer) for layer in self.layers)
        work = tile_work(height, core[0], margin) * tile_work(width, core[1], margin)
        return TilePlan(items, (core[0], core[1]), margin, least, stride, cost=round(work, 3))

    def _grid(self) -> tuple[int, int]:
        """(stride, margin) of the tiles for this dream's blobs."""
        seen = reach(self.net, self.layers)
        if seen.size is None:
            raise DreamError(
                f"{', '.join(self.layers)} sees the whole picture, so it cannot be dreamed in tiles: give a larger"
                " --max-memory, or a layer lower in the net"
            )
        return seen.stride, _ceil_div(int(seen.size * self.margin_share), seen.stride) * seen.stride

    def _free(self, octave: tuple[int, int] | None = None) -> int:
        """The planned step bytes the budget leaves room for at the ``octave`` (height, width), beside the loop's
        copies and what the libraries take."""
        budget = self.budget if self.state.cap is None else min(self.budget, self.state.cap)
        return step_room(budget - loop_bytes(*self.picture, self.pulled, octave, self.dtype), self.dtype)

    def _shrink(self, failed: TilePlan, shape: tuple[int, int, int]) -> None:
        """After ``failed`` ran out of memory: a plan with half the items, else tiles of half the side."""
        _, height, width = shape
        if failed.items > 1:
            smaller = replace(failed, items=max(1, failed.items // 2))
        else:
            side = max(failed.tile or (height, width)) // 2
            if side < _SMALLEST_TILE:
                error = DreamError(
                    f"out of memory on {self.device} even in {side * 2}-pixel tiles: free the device, or dream a"
                    " smaller picture"
                )
                error.exit_code = 1  # the machine failed, not the user
                raise error
            smaller = self._tiles(1, height, width, side)
        memory = step_memory(self.net, self.layers, self.dtype)
        tile = smaller.tile or (height, width)
        needed = memory.bytes(smaller.items, tile[0] + 2 * smaller.margin, tile[1] + 2 * smaller.margin)
        whole = loop_bytes(*self.picture, self.pulled, (height, width), self.dtype)
        self.state.cap = with_runtime(needed, self.dtype) + whole
        self.plans[shape] = smaller
        self._say(2, f"out of memory on {self.device}: retrying the step in smaller tiles (and using them from now on)")

    def _free_device_cache(self) -> None:
        if self.device.type == "cuda" and torch.cuda.is_initialized():
            torch.cuda.empty_cache()

    def _budget_text(self) -> str:
        return format_size(self.budget if self.state.cap is None else min(self.budget, self.state.cap))

    def _say(self, level: int, message: str) -> None:
        if self.log is not None and message not in self.state.said:
            self.state.said.add(message)
            self.log(level, message)


def _ceil_div(value: int, step: int) -> int:
    return -(-value // step)
