"""What the dream kernel needs of a net, as small protocols: ``DreamNet`` (every dream), ``SteppedNet`` (a net run
as named steps, which the kernel can also probe step by step, pick a default blob of, and recompute) and
``FoldingNet`` (a net that can run the same function in fewer passes while a dream runs).

``net.caffe_net.CaffeNet`` satisfies all three. A net that is only a ``DreamNet`` dreams all the same: the kernel then
finds its smallest picture by real forwards instead of placeholder ones and keeps every blob for the backward
pass instead of recomputing parts of it (``recompute.py``, ``min_size.py`` ask ``isinstance(net, SteppedNet)``).
Both are ``runtime_checkable``: ``isinstance`` checks the names are there, not their signatures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:  # only for the hints: dreaming/layers.py imports this module and stays light (no torch)
    import torch

    from deepdream_torch.caffe.net_spec import Shape
    from deepdream_torch.net.caffe_net import Step


@runtime_checkable
class DreamNet(Protocol):
    """A ``torch.nn.Module`` whose forward takes ``outputs=`` (blob names) and returns those blobs by name, and
    which says at once whether it has a blob (``check_blob`` raises a ``DeepDreamError`` naming close matches).

    The module methods listed are the ones the kernel calls: ``to`` (device and layout), the parameters and
    buffers (memory planning on placeholder tensors, the device the net is on).
    """

    def __call__(self, x: torch.Tensor, *, outputs: Sequence[str]) -> dict[str, torch.Tensor]: ...

    def check_blob(self, name: str) -> None: ...

    def to(self, *args: Any, **kwargs: Any) -> Any: ...

    def parameters(self, recurse: bool = True) -> Iterator[torch.nn.Parameter]: ...

    def buffers(self, recurse: bool = True) -> Iterator[torch.Tensor]: ...

    def named_parameters(self, *args: Any, **kwargs: Any) -> Iterator[tuple[str, torch.nn.Parameter]]: ...

    def named_buffers(self, *args: Any, **kwargs: Any) -> Iterator[tuple[str, torch.Tensor]]: ...


@runtime_checkable
class SteppedNet(DreamNet, Protocol):
    """A ``DreamNet`` run as ``steps`` in order (each a Caffe layer: its name, type, bottoms and tops), its blobs
    named and shaped as the prototxt declares them.

    ``step_of(blob)``: the index of the step that makes it (-1 for an input); ``blobs_alive_after(index)``: the
    blobs a later step still reads; ``recomputing(segments)``: a block inside which each (start, stop) range of
    steps keeps only its inputs for the backward pass; ``module_of(step)``: the module that runs a step (hooked
    and run on placeholder tensors when the kernel plans memory).
    """

    name: str
    steps: Sequence[Step]
    blob_names: Sequence[str]
    blob_shapes: Mapping[str, Shape]

    def step_of(self, name: str) -> int: ...

    def blobs_alive_after(self, index: int) -> list[str]: ...

    def recomputing(self, segments: Iterable[tuple[int, int]]) -> AbstractContextManager[None]: ...

    def module_of(self, step: Step) -> torch.nn.Module: ...


@runtime_checkable
class FoldingNet(Protocol):
    """A net with a ``folding()`` block inside which its forward computes the same function in fewer passes, up to
    float rounding (a CaffeNet: batch norms folded into the convolutions before them), and ``folds``: whether it is
    inside one now (a memory plan is made for one way of running). The dream kernel runs every dream in the block;
    outside it the net runs layer by layer, as it was checked against another implementation."""

    folds: bool

    def folding(self) -> AbstractContextManager[None]: ...
