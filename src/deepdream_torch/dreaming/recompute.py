"""Which of a net's segments a step recomputes instead of keeping their blobs, and what that saves and costs.

A segment is a run of the net's steps between two points where a single blob carries everything forward (after
each stem layer, each inception module). Recomputing a segment (``CaffeNet.recomputing``, activation
checkpointing) keeps only the blob entering it; its other blobs are made again during the backward pass, one
segment at a time. So the step's memory drops by what the recomputed segments kept, less the largest of them
(alive again while its backward runs), and its time grows by their forward passes.

The model is planned on meta tensors like ``memory.step_memory``: every tensor autograd keeps, grouped by the
segments that keep it (and the ones that take it as input), at two sizes, gives bytes that grow with the pixels.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch.func import functional_call
from torch.utils.flop_counter import FlopCounterMode

from deepdream_torch.dreaming.dream_net import DreamNet, FoldingNet, SteppedNet
from deepdream_torch.dreaming.memory import meta_input, meta_state, planned_extra
from deepdream_torch.dreaming.min_size import min_side

# Time a blob's element-wise layers (ReLU, pooling, LRN, concatenation) take, in convolution FLOPs per byte they
# write: what makes recomputing a segment without convolutions cost something. Read off a GoogLeNet step's profile
# (benchmarks/README.md, "Recomputation").
_FLOPS_PER_BYTE = 20


@dataclass(frozen=True)
class _Group:
    """Bytes (``fixed`` + ``per_pixel`` x pixels) kept for the backward pass by the segments ``savers`` (none:
    parameters, kept whatever is recomputed; None: no layer keeps them), and taken as input by the segments
    ``inputs_of`` (held while those are recomputed)."""

    savers: frozenset[int] | None
    inputs_of: frozenset[int]
    fixed: float
    per_pixel: float

    def bytes(self, pixels: int) -> float:
        return self.fixed + self.per_pixel * pixels


Recompute = tuple[frozenset[int], ...]  # runs of neighbouring segments, each recomputed as one checkpoint


@dataclass(frozen=True)
class RecomputeModel:
    """A step's memory and time for any runs of recomputed segments, per item of ``height`` x ``width``."""

    segments: tuple[tuple[int, int], ...]  # (first step, the step after the last)
    groups: tuple[_Group, ...]
    rest: tuple[float, float]  # (fixed, per pixel) bytes of the objective and gradients, never recomputed
    work: tuple[float, ...]  # each segment's share of a plain step's time when run once more

    def bytes(self, items: int, height: int, width: int, runs: Recompute = ()) -> int:
        """Bytes of a step over ``items`` pictures with the segments of ``runs`` recomputed: what stays kept,
        plus the largest run made again while its backward runs."""
        pixels = height * width
        inside = frozenset().union(*runs)
        held = frozenset(min(run) for run in runs)  # a run keeps the blob entering it, not its inner ones
        kept = 0.0
        again = [0.0] * len(runs)
        for group in self.groups:
            size = group.bytes(pixels)
            saved = group.savers is not None and (not group.savers or group.savers - inside)
            if saved or group.inputs_of & held:
                kept += size
                continue
            for index, run in enumerate(runs):
                if (group.savers or frozenset()) & run or group.inputs_of & run:
                    again[index] += size
        return math.ceil(items * (kept + max(again, default=0.0) + self.rest[0] + self.rest[1] * pixels))

    def extra_work(self, runs: Recompute) -> float:
        """How much longer than a plain step: 0.3 means 1.3 times its time."""
        return sum(self.work[i] for run in runs for i in run)

    def choices(self) -> list[Recompute]:
        """Ways to recompute, cheapest first, each needing less memory (at 1920x1080) than every cheaper one.
        Candidates: the segments taken in the order of the bytes they keep for their time, the first 1, 2, ...
        of them, their neighbours joined into runs no larger (made again) than a threshold, for every threshold.
        One segment alone rarely saves anything: it is alive again while its backward runs."""
        pixels = 1080 * 1920
        owned = [0.0] * len(self.segments)
        for group in self.groups:
            for segment in group.savers or ():
                owned[segment] += group.bytes(pixels) / len(group.savers)
        order = sorted(range(len(self.segments)), key=lambda i: -owned[i] / max(self.work[i], 1e-6))
        candidates: set[Recompute] = {()}
        for count in range(1, len(order) + 1):
            chosen = sorted(order[:count])
            for limit in sorted(set(owned)):
                candidates.add(_runs(chosen, owned, limit))
        scored = sorted(candidates, key=lambda runs: (self.extra_work(runs), self.bytes(1, 1080, 1920, runs)))
        found, least = [], math.inf
        for runs in scored:
            needed = self.bytes(1, 1080, 1920, runs)
            if needed < least:
                found.append(runs)
                least = needed
        return found

    def ranges(self, runs: Recompute) -> tuple[tuple[int, int], ...]:
        """The step ranges ``CaffeNet.recomputing`` takes for ``runs``."""
        return tuple((self.segments[min(run)][0], self.segments[max(run)][1]) for run in runs)


def _runs(chosen: list[int], owned: list[float], limit: float) -> Recompute:
    """``chosen`` segments (sorted) cut into runs of neighbours whose kept bytes add up to at most ``limit``
    (a segment over it alone is a run of its own)."""
    runs: list[list[int]] = []
    for segment in chosen:
        run = runs[-1] if runs else None
        if run and run[-1] == segment - 1 and sum(owned[i] for i in run) + owned[segment] <= limit:
            run.append(segment)
        else:
            runs.append([segment])
    return tuple(frozenset(run) for run in runs)


_known: weakref.WeakKeyDictionary[object, dict[tuple[str, ...], RecomputeModel]] = weakref.WeakKeyDictionary()


def recompute_model(
    net: DreamNet, layers: Iterable[str], dtype: torch.dtype | None = None
) -> RecomputeModel | None:
    """The model for a step ascending ``layers`` under autocast to ``dtype`` (None: fp32); None for a net that
    cannot recompute (no ``recomputing``) or cannot be planned on meta tensors."""
    folds = isinstance(net, FoldingNet) and net.folds  # a model holds for the way the net runs now
    key = (*sorted(set(layers)), str(dtype), str(folds))
    per_net = _known.setdefault(net, {})
    if key not in per_net:
        per_net[key] = _plan(net, key[:-2], dtype) if isinstance(net, SteppedNet) else None
    return per_net[key]


def segments_of(net: SteppedNet, layers: Iterable[str]) -> tuple[tuple[int, int], ...]:
    """The net's steps up to the last of ``layers``, cut wherever a single blob is alive."""
    last = max(net.step_of(layer) for layer in layers)
    found, start = [], 0
    for index in range(last + 1):
        if index == last or len(net.blobs_alive_after(index)) == 1:
            found.append((start, index + 1))
            start = index + 1
    return tuple(found)


def _plan(net: SteppedNet, layers: tuple[str, ...], dtype: torch.dtype | None) -> RecomputeModel | None:
    segments = segments_of(net, layers)
    side = max(256, 2 * max(min_side(net, layer) for layer in layers))
    try:
        small, large = (_profile(net, layers, segments, s, s, dtype) for s in (side, 2 * side))
    except (RuntimeError, NotImplementedError, TypeError):
        return None  # a layer reading values, not shapes: no plan (memory.step_memory says the same)
    pixels = side * side
    groups = []
    for signature, low in small[0].items():
        high = large[0].get(signature, low)
        per_pixel = (high - low) / (3 * pixels)
        groups.append(_Group(*signature, max(0.0, low - per_pixel * pixels), per_pixel))
    rest_pixel = (large[1] - small[1]) / (3 * pixels)
    work = large[2]
    total = 2 * sum(work)  # a step: the forward and a backward pass of about the same time
    return RecomputeModel(
        segments,
        tuple(groups),
        (max(0.0, small[1] - rest_pixel * pixels), rest_pixel),
        tuple(w / total if total else 0.0 for w in work),
    )


def _profile(
    net: SteppedNet,
    layers: tuple[str, ...],
    segments: tuple[tuple[int, int], ...],
    height: int,
    width: int,
    dtype: torch.dtype | None = None,
) -> tuple[dict[tuple[frozenset[int] | None, frozenset[int]], int], int, list[float]]:
    """At ``height`` x ``width`` on meta tensors: bytes kept per (savers, inputs_of) signature, the bytes of the
    rest, and each segment's forward work."""
    segment_of = {step: i for i, (start, stop) in enumerate(segments) for step in range(start, stop)}
    meta, originals = meta_state(net, dtype)
    parameters = {t.untyped_storage()._cdata for t in meta.values()}
    now = {"segment": 0}
    savers: dict[int, set[int]] = {}
    sizes: dict[int, int] = {}
    held: list[torch.Tensor] = []  # keeps every storage alive, so no address is reused while profiling
    made: dict[str, list[tuple[int, int]]] = {}  # a blob name -> (step, storage) of each value it took
    work = [0.0] * len(segments)

    def pack(blob: torch.Tensor) -> torch.Tensor:
        storage = blob.untyped_storage()
        held.append(blob)
        sizes[storage._cdata] = storage.nbytes() + originals.get(storage._cdata, 0)
        savers.setdefault(storage._cdata, set()).add(now["segment"])
        return blob

    counter = FlopCounterMode(display=False)
    handles = []
    for index, step in enumerate(net.steps[: segments[-1][1]]):
        module = net.module_of(step)

        def before(_module, _inputs, index=index) -> None:
            now["segment"], now["flops"] = segment_of[index], counter.get_total_flops()

        def after(_module, _inputs, output, index=index, tops=step.tops) -> None:
            outputs = output if isinstance(output, tuple) else (output,)
            written = sum(t.untyped_storage().nbytes() for t in outputs)
            work[segment_of[index]] += counter.get_total_flops() - now["flops"] + _FLOPS_PER_BYTE * written
            for name, blob in zip(tops, outputs):
                held.append(blob)
                made.setdefault(name, []).append((index, blob.untyped_storage()._cdata))

        handles += [module.register_forward_pre_hook(before), module.register_forward_hook(after)]
    x, fed = meta_input(height, width, dtype)
    held.append(fed)
    inputs_of: dict[int, set[int]] = {fed.untyped_storage()._cdata: {0}}
    try:
        with counter, torch.autograd.graph.saved_tensors_hooks(pack, lambda blob: blob):
            blobs = functional_call(net, meta, (fed,), {"outputs": list(layers)})
    finally:
        for handle in handles:
            handle.remove()
    for i, (start, _) in enumerate(segments[1:], start=1):
        for name in net.blobs_alive_after(start - 1):
            storage = [storage for step, storage in made[name] if step < start][-1]  # its value entering the segment
            inputs_of.setdefault(storage, set()).add(i)
    grouped = _grouped(sizes, savers, parameters, inputs_of, held)
    beside = x.untyped_storage().nbytes() if fed is not x else 0  # the fp32 picture beside its cast copy
    return grouped, beside + planned_extra(blobs.values(), sizes.values()), work


def _grouped(
    sizes: dict[int, int],
    savers: dict[int, set[int]],
    parameters: set[int],
    inputs_of: dict[int, set[int]],
    held: list[torch.Tensor],
) -> dict[tuple[frozenset[int] | None, frozenset[int]], int]:
    """Bytes per (savers, inputs_of) signature, from each storage's size, the segments that kept it for the
    backward pass (none for a parameter) and the segments that take it as input."""
    grouped: dict[tuple[frozenset[int] | None, frozenset[int]], int] = {}
    for storage, size in sizes.items():
        who = frozenset() if storage in parameters else frozenset(savers[storage])
        signature = (who, frozenset(inputs_of.get(storage, ())))
        grouped[signature] = grouped.get(signature, 0) + size
    for storage, segments_reading in inputs_of.items():  # a segment's input no layer keeps is held all the same
        if storage not in sizes:
            size = next(t.untyped_storage().nbytes() for t in held if t.untyped_storage()._cdata == storage)
            signature = (None, frozenset(segments_reading))
            grouped[signature] = grouped.get(signature, 0) + size
    return grouped
