"""The converted net: runs layers in Caffe's order and returns intermediate blobs by their Caffe names.

A name means what the original DeepDream read with ``net.forward(end=NAME); net.blobs[NAME]``: the output of the
*layer* called NAME right after it ran, before any later in-place layer (ReLU, BatchNorm, Scale, Dropout writing the
same top) changed it. Layers here never write in place, so that value is simply the layer's own output. A top-blob
name that is no layer's name means the output of the first layer that writes it; an input's name means the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from deepdream_torch.caffe.errors import CaffeFormatError, UnknownBlobError
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
    ):
        super().__init__()
        self.name = name
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
        self._last_read = {}
        for index, step in enumerate(self.steps):
            for bottom in step.bottoms:
                self._last_read[bottom] = index

    @property
    def input_shape(self) -> Shape:
        """The declared (N, C, H, W) of the net's (first) input."""
        return self.input_shapes[self.input_names[0]]

    def check_blob(self, name: str) -> None:
        if name not in self._addresses:
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
        for index in range(last + 1):
            step = self.steps[index]
            out = self.layers[step.key](*(blobs[b] for b in step.bottoms))
            tops = out if isinstance(out, tuple) else (out,)
            for name, position in wanted.get(index, []):
                results[name] = tops[position]
            for bottom in step.bottoms:  # let go of blobs no later layer reads
                if self._last_read.get(bottom) == index:
                    blobs.pop(bottom, None)
            blobs.update(zip(step.tops, tops))
        return results

    def _layer_at(self, name: str) -> str:
        index, _ = self._addresses[name]
        return self.steps[index].layer if index >= 0 else name

    def extra_repr(self) -> str:
        return f"name={self.name!r}, inputs={self.input_shapes}, layers={len(self.steps)}"
