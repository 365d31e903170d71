"""A pull towards a given picture inside every ascent step, where a mask trusts it.

Each step becomes ``x ← x + step·g/mean|g| − weight·mask·(x − target)``: the short-term temporal term of video
style transfer (Ruder et al., 2016) written as a step rule. The kernel does not know where ``target`` and ``mask``
come from; the video package hands it the previous dream warped along the motion and the flow's trust mask.
A weight of 0, or a mask of 0, leaves the step exactly as it is without a pull. A pull may also say that its
picture, already close to the target, needs only its ``octaves`` finest octaves (a frame refined from the last).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.octaves import resize
from deepdream_torch.dreaming.pixels import to_net_channels
from deepdream_torch.dreaming.settings import PULL_WEIGHT_RANGE


@dataclass(frozen=True, eq=False)
class Pull:
    """Pull one picture towards ``target`` ((H, W, 3) uint8 RGB, the picture's size) by ``weight`` (0 to 1) of
    the way every step, times ``mask`` ((H, W), 0 where the target is not to be trusted, 1 where it is);
    ``octaves``: dream that picture at its ``octaves`` finest octaves only (None: all)."""

    target: np.ndarray
    mask: np.ndarray
    weight: float
    octaves: int | None = None

    def __post_init__(self) -> None:
        low, high = PULL_WEIGHT_RANGE
        if not isinstance(self.weight, int | float) or not math.isfinite(self.weight) or not low <= self.weight <= high:
            raise DreamError(f"a pull's weight must be a number from 0 to 1 (got {self.weight!r})")
        if self.target.ndim != 3 or self.target.shape[2] != 3 or self.mask.shape != self.target.shape[:2]:
            raise DreamError(
                f"a pull needs an (H, W, 3) target and an (H, W) mask; got {self.target.shape} and {self.mask.shape}"
            )
        if self.octaves is not None and (not isinstance(self.octaves, int) or self.octaves < 1):
            raise DreamError(f"a pull's octaves must be a whole number, at least 1 (got {self.octaves!r})")


@dataclass(frozen=True)
class PullField:
    """The pulls of a batch in net space: ``target`` (N, 3, H, W) and ``strength`` = weight · mask (N, 1, H, W),
    0 for the items without a pull; ``octaves``: each item's finest octaves to dream (None: all; empty: all).
    With ``mean``, ``target`` holds the pictures' 8-bit B, G, R values and is brought to net space (minus
    ``mean``) when used: a quarter of a float copy held through the dream instead of a whole one."""

    target: torch.Tensor
    strength: torch.Tensor
    octaves: tuple[int | None, ...] = ()
    mean: torch.Tensor | None = None

    def net_target(self) -> torch.Tensor:
        """``target`` in net space (a new tensor when it is held as 8-bit values)."""
        return self.target if self.mean is None else self.target.float().sub_(self.mean)

    def towards(self, x: torch.Tensor) -> torch.Tensor:
        """``target − x``, a new tensor."""
        return self.target - x if self.mean is None else self.net_target().sub_(x)

    def at(self, size: tuple[int, int]) -> PullField:
        """The field at an octave's (height, width)."""
        if tuple(self.target.shape[-2:]) == tuple(size):
            return self
        if self.mean is None:
            return PullField(resize(self.target, size), resize(self.strength, size), self.octaves)
        # A channel at a time (each is resized on its own anyway): a third of a full-size float copy at once.
        channels = [
            resize(self.target[:, c : c + 1].float().sub_(self.mean[:, c : c + 1]), size) for c in range(3)
        ]
        return PullField(torch.cat(channels, dim=1), resize(self.strength, size), self.octaves)

    def first(self, count: int) -> PullField:
        if count == self.target.shape[0]:
            return self
        return PullField(self.target[:count], self.strength[:count], self.octaves[:count], self.mean)

    def reorder(self, order: Sequence[int]) -> PullField:
        if list(order) == sorted(order):
            return self
        index = torch.tensor(list(order), device=self.target.device)
        octaves = tuple(self.octaves[i] for i in order) if self.octaves else ()
        return PullField(
            self.target.index_select(0, index), self.strength.index_select(0, index), octaves, self.mean
        )

    def cap(self, item: int, usable: int) -> int:
        """How many octaves item ``item`` dreams, of the ``usable`` its objective allows."""
        wanted = self.octaves[item] if self.octaves else None
        return usable if wanted is None else min(usable, wanted)


def pull_field(
    pulls: Sequence[Pull | None], shape: tuple[int, int, int], mean: torch.Tensor
) -> PullField | None:
    """The batch's ``PullField`` for pictures of (N, H, W) ``shape`` (``mean`` on the dream's device), or None when
    no item has a pull of any weight: the dream is then exactly the one without pulls."""
    count, height, width = shape
    if len(pulls) != count:
        raise DreamError(f"{len(pulls)} pulls given for {count} pictures: give one (or None) per picture")
    if all(pull is None or (pull.weight == 0 and pull.octaves is None) for pull in pulls):
        return None
    targets = np.zeros((count, height, width, 3), np.uint8)
    strength = np.zeros((count, 1, height, width), np.float32)
    for index, pull in enumerate(pulls):
        if pull is None:
            continue
        if pull.mask.shape != (height, width):
            raise DreamError(
                f"a pull of {pull.mask.shape[1]}x{pull.mask.shape[0]} for a picture of {width}x{height}:"
                " give it the picture's size"
            )
        targets[index] = pull.target
        strength[index, 0] = np.clip(pull.mask, 0, 1) * np.float32(pull.weight)
    octaves = tuple(None if pull is None else pull.octaves for pull in pulls)
    return PullField(to_net_channels(targets, mean.device), torch.from_numpy(strength).to(mean.device), octaves, mean)


def apply_pull(x: torch.Tensor, field: PullField | None) -> torch.Tensor:
    """``x − strength · (x − target)``: each pixel moved that share of the way to the target."""
    if field is None:
        return x
    return x - field.strength * (x - field.net_target())
