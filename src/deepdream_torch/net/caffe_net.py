"""The converted net: runs layers in Caffe's order and returns intermediate blobs by their Caffe names.

A name means what the original DeepDream read with ``net.forward(end=NAME); net.blobs[NAME]``: the output of the
*layer* called NAME right after it ran, before any later in-place layer (ReLU, BatchNorm, Scale, Dropout writing the
same top) changed it. Layers here never write in place, so that value is simply the layer's own output. A top-blob
name that is no layer's name means the output of the first layer that writes it; an input's name means the input.

Inside ``recomputing(segments)`` the forward runs each given range of steps under ``torch.utils.checkpoint``:
autograd keeps only the blobs entering the range and runs it again during the backward pass (less memory for one
more forward of those steps; ``dreaming/recompute.py`` chooses the ranges).

Inside ``folding()`` each convolution followed by a batch norm (and a scale) that nothing else reads runs as one
convolution with the two folded into its weights (``folding.py``: the same function, fewer passes; what the dream
kernel runs). Outside it every layer runs as written.

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
from deepdream_torch.net.folding import Chain, find_chains, folded_weights, trainable


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
        self._chains = find_chains(self.steps, list(self.layers.values()), self._last_read)
        self._folding = False
        self._folded: dict[int, tuple[tuple[tuple[torch.Tensor, Any], ...], tuple[torch.Tensor, torch.Tensor]]] = {}

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

    @contextmanager
    def folding(self) -> Iterator[None]:
        """Forwards in this block run each foldable convolution, batch norm (and scale) as one convolution
        (``folding.py``); the folded weights are kept for the block's length."""
        before = self._folding
        self._folding = True
        try:
            yield
        finally:
            self._folding = before
            if not before:
                self._folded.clear()

    @property
    def folds(self) -> bool:
        """Whether forwards now fold (inside ``folding()``): a memory plan made one way holds for that way."""
        return self._folding

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
        recompute = self._ranges(wanted)
        index = 0
        while index <= last:
            if index in recompute and torch.is_grad_enabled():
                stop = min(recompute[index], last + 1)
                blobs, found = checkpoint(self._run, index, stop, blobs, wanted, use_reentrant=False)
            else:
                chain = self._chain_at(index, last + 1, wanted)
                stop = index + 1 if chain is None else chain.stop
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
        index = start
        while index < stop:
            chain = self._chain_at(index, stop, wanted)
            step = self.steps[index]
            if chain is not None:
                out = self.layers[step.key](blobs[step.bottoms[0]], folded=self._folded_weights(chain))
                step = self.steps[chain.stop - 1]  # the chain's result is its last step's
                skipped = range(index, chain.stop)
            else:
                out = self.layers[step.key](*(blobs[b] for b in step.bottoms))
                skipped = range(index, index + 1)
            tops = out if isinstance(out, tuple) else (out,)
            for name, position in wanted.get(skipped[-1], []):
                found[name] = tops[position]
            for done in skipped:  # let go of blobs no later layer reads
                for bottom in self.steps[done].bottoms:
                    if self._last_read.get(bottom) == done:
                        blobs.pop(bottom, None)
            blobs.update(zip(step.tops, tops))
            index = skipped[-1] + 1
        return blobs, found

    def _ranges(self, wanted: dict[int, list[tuple[str, int]]]) -> dict[int, int]:
        """The recomputed ranges, each end that falls inside a chain run folded moved to the chain's end (the
        blob crossing it is then the chain's result, of the same size)."""
        if not self._folding or not self._recompute:
            return self._recompute
        ends = {}
        for chain in self._chains.values():
            if self._chain_at(chain.start, chain.stop, wanted) is not None:
                ends.update({inner: chain.stop for inner in range(chain.start + 1, chain.stop)})
        moved = {ends.get(start, start): ends.get(stop, stop) for start, stop in self._recompute.items()}
        return {start: stop for start, stop in moved.items() if start < stop}

    def _chain_at(self, index: int, stop: int, wanted: dict[int, list[tuple[str, int]]]) -> Chain | None:
        """The chain to run folded from step ``index`` in a range ending before ``stop``: inside ``folding()``,
        one that lies whole in the range and none of whose inner results is asked for."""
        chain = self._chains.get(index) if self._folding else None
        if chain is None or chain.stop > stop or any(inner in wanted for inner in range(index, chain.stop - 1)):
            return None
        if trainable([self.layers[self.steps[i].key] for i in range(index, chain.stop)]):
            return None
        return chain

    def _folded_weights(self, chain: Chain) -> tuple[torch.Tensor, torch.Tensor]:
        """The chain's folded weight and bias, kept while the parameters they come from are the same tensors with
        the same memory, unchanged (``to()`` moves a parameter's data; a plan on placeholder tensors gets its own,
        not kept)."""
        modules = [self.layers[self.steps[i].key] for i in range(chain.start, chain.stop)]
        sources = tuple((p, (p._version, p.data_ptr())) for module in modules for p in module.parameters())
        kept = self._folded.get(chain.start)
        if kept is not None and len(kept[0]) == len(sources) and all(
            a is b and version == seen for (a, version), (b, seen) in zip(sources, kept[0])
        ):
            return kept[1]
        weights = folded_weights(modules)
        if not weights[0].is_meta:
            self._folded[chain.start] = (sources, weights)
        return weights

    def _layer_at(self, name: str) -> str:
        index, _ = self._addresses[name]
        return self.steps[index].layer if index >= 0 else name

    def extra_repr(self) -> str:
        return f"name={self.name!r}, inputs={self.input_shapes}, layers={len(self.steps)}"
