"""The converted net: runs layers in Caffe's order and returns intermediate blobs by their Caffe names.

A name means what the original DeepDream read with ``net.forward(end=NAME); net.blobs[NAME]``: the output of the
*layer* called NAME right after it ran, before any later in-place layer (ReLU, BatchNorm, Scale, Dropout writing the
same top) changed it. Layers here never write in place, so that value is simply the layer's own output. A top-blob
name that is no layer's name means the output of the first layer that writes it; an input's name means the input.

Inside ``recomputing(segments)`` the forward runs each given range of steps under ``torch.utils.checkpoint``:
autograd keeps only the blobs entering the range and runs it again during the backward pass (less memory for one
more forward of those steps; ``dreaming/recompute.py`` chooses the ranges).

Layers whose type could not be converted (and the layers that read what they write) are not steps: their blobs are
``unconverted``, listed in ``listing`` with the rest, and asking for one raises ``UnconvertedBlobError`` naming the
layer that stops it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from deepdream_torch.caffe.errors import CaffeFormatError, UnconvertedBlobError, UnknownBlobError
from deepdream_torch.caffe.net_spec import Shape


@dataclass(frozen=True)
class Step:
    layer: str  # the Caffe layer name
    type: str
    key: str  # its key in CaffeNet.layers (ModuleDict keys cannot hold '.')
    bottoms: tuple[str, ...]
    tops: tuple[str, ...]


class CaffeNet(nn.Module):
    def __init__(
        self,
        name: str,
        input_shapes: dict[str, Shape],
        steps: Sequence[Step],
        modules: Iterable[nn.Module],
        blob_shapes: dict[str, Shape],
        *,
        unconverted: dict[str, Any] | None = None,
        listing: Sequence[str] | None = None,
        notes: Sequence[str] = (),
    ):
        super().__init__()
        self.name = name
        self.unconverted = dict(unconverted or {})  # blob name → the blocker (a layer and its type) it needs
        self.notes = list(notes)  # one line each: what was changed to run the net (train/test, unconverted layers)
        self.input_names = list(input_shapes)
        self.input_shapes = dict(input_shapes)
        self.steps = list(steps)
        self.layers = nn.ModuleDict({step.key: module for step, module in zip(self.steps, modules)})
        # name → (step index, top position); inputs are at step -1.
        self._addresses: dict[str, tuple[int, int]] = {n: (-1, i) for i, n in enumerate(self.input_names)}
        for index, step in enumerate(self.steps):
            self._addresses.setdefault(step.layer, (index, 0))
            for position, top in enumerate(step.tops):
                self._addresses.setdefault(top, (index, position))
        self.blob_names = sorted(self._addresses, key=lambda n: (self._addresses[n], n != self._layer_at(n)))
        self.blob_shapes = {n: blob_shapes[n] for n in self.blob_names}
        # Every blob in the order Caffe makes them, the unconverted ones included (what mode 5 lists).
        self.listing = list(listing) if listing is not None else list(self.blob_names)
        self._last_read = {}
        for index, step in enumerate(self.steps):
            for bottom in step.bottoms:
                self._last_read[bottom] = index
        self._recompute: dict[int, int] = {}  # first step of a recomputed range -> the step after it

    def step_of(self, name: str) -> int:
        """The index of the step that makes blob ``name`` (-1 for an input)."""
        self.check_blob(name)
        return self._addresses[name][0]

    def blobs_alive_after(self, index: int) -> list[str]:
        """Names of the blobs a later step still reads once step ``index`` has run (-1: before the first)."""
        made = set(self.input_names)
        for step in self.steps[: index + 1]:
            made.update(step.tops)
        return sorted(name for name in made if self._last_read.get(name, -1) > index)

    def module_of(self, step: Step) -> nn.Module:
        """The module that runs ``step`` (one of ``steps``)."""
        return self.layers[step.key]

    @contextmanager
    def recomputing(self, segments: Iterable[tuple[int, int]]) -> Iterator[None]:
        """Forwards in this block keep no blobs for the backward pass inside each ``(start, stop)`` range of steps
        but its inputs, and recompute the rest when the backward pass needs them."""
        before = self._recompute
        self._recompute = dict(segments)
        try:
            yield
        finally:
            self._recompute = before

    @property
    def input_shape(self) -> Shape:
        """The declared (N, C, H, W) of the net's (first) input."""
        return self.input_shapes[self.input_names[0]]

    def check_blob(self, name: str) -> None:
        if name in self._addresses:
            return
        if name in self.unconverted:
            blocker = self.unconverted[name]
            raise UnconvertedBlobError(name, blocker.layer, blocker.type)
        raise UnknownBlobError(name, self.blob_names)

    def forward(
        self, x: torch.Tensor | dict[str, torch.Tensor], outputs: Sequence[str] | None = None
    ) -> dict[str, torch.Tensor]:
        """Run the net on ``x`` (N, C, H, W: BGR, mean subtracted, 0–255) up to the last of ``outputs``.

        Returns ``{name: blob}`` for each requested name (default: the last layer's first top).
        """
        if outputs is None:
            outputs = [self.steps[-1].tops[0]]
        elif isinstance(outputs, str):
            raise TypeError("outputs takes a list of blob names, e.g. outputs=['inception_4c/output']")
        for name in outputs:
            self.check_blob(name)
        inputs = x if isinstance(x, dict) else {self.input_names[0]: x}
        missing = [n for n in self.input_names if n not in inputs]
        if missing:
            raise CaffeFormatError(f"the net needs input {missing[0]!r} as well")
        wanted: dict[int, list[tuple[str, int]]] = {}
        for name in outputs:
            index, position = self._addresses[name]
            wanted.setdefault(index, []).append((name, position))
        results = {name: inputs[self.input_names[pos]] for name, pos in wanted.get(-1, [])}
        blobs = dict(inputs)
        last = max(wanted)
        index = 0
        while index <= last:
            if index in self._recompute and torch.is_grad_enabled():
                stop = min(self._recompute[index], last + 1)
                blobs, found = checkpoint(self._run, index, stop, blobs, wanted, use_reentrant=False)
            else:
                stop = index + 1
                blobs, found = self._run(index, stop, blobs, wanted)
            results.update(found)
            index = stop
        return results

    def _run(
        self, start: int, stop: int, blobs: dict[str, torch.Tensor], wanted: dict[int, list[tuple[str, int]]]
    ) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        """Steps ``start`` to ``stop - 1`` on ``blobs`` (left as given: a recomputation runs again from them);
        returns the blobs alive after them and the wanted ones they made."""
        blobs, found = dict(blobs), {}
        for index in range(start, stop):
            step = self.steps[index]
            out = self.layers[step.key](*(blobs[b] for b in step.bottoms))
            tops = out if isinstance(out, tuple) else (out,)
            for name, position in wanted.get(index, []):
                found[name] = tops[position]
            for bottom in step.bottoms:  # let go of blobs no later layer reads
                if self._last_read.get(bottom) == index:
                    blobs.pop(bottom, None)
            blobs.update(zip(step.tops, tops))
        return blobs, found

    def _layer_at(self, name: str) -> str:
        index, _ = self._addresses[name]
        return self.steps[index].layer if index >= 0 else name

    def extra_repr(self) -> str:
        return f"name={self.name!r}, inputs={self.input_shapes}, layers={len(self.steps)}"
