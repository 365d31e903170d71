"""Guide pictures' blobs, computed once per (guide, layer, size) and reused across frames and calls."""

from __future__ import annotations

import hashlib
import weakref
from dataclasses import dataclass, field

import numpy as np
import torch

from deepdream_torch.dreaming.device import autocast
from deepdream_torch.dreaming.dream_net import DreamNet
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.min_size import min_side
from deepdream_torch.dreaming.pixels import mean_tensor, to_net


@dataclass
class GuideCache:
    """Guide blobs by (guide digest, layer, size, mean, device, precision); ``computed`` counts the forwards."""

    blobs: dict[tuple, torch.Tensor] = field(default_factory=dict)
    computed: int = 0

    def blob(
        self,
        net: DreamNet,
        guide: np.ndarray,
        layer: str,
        mean: tuple[float, float, float],
        device: torch.device,
        dtype: torch.dtype | None,
    ) -> torch.Tensor:
        """The (C, H, W) blob of ``guide`` (H, W, 3 uint8 RGB, at its own size) at ``layer``."""
        digest = hashlib.sha1(guide.tobytes()).hexdigest()
        key = (digest, layer, guide.shape[:2], tuple(mean), str(device), dtype)
        if key not in self.blobs:
            needed = min_side(net, layer)
            if min(guide.shape[:2]) < needed:
                raise DreamError(
                    f"the guide picture ({guide.shape[1]}x{guide.shape[0]}) is too small for layer {layer!r}:"
                    f" it needs at least {needed}x{needed} pixels"
                )
            with torch.no_grad(), autocast(device, dtype):
                blob = net(to_net(guide[None], mean_tensor(mean, device)), outputs=[layer])[layer]
            self.blobs[key] = blob[0].float()
            self.computed += 1
        return self.blobs[key]


_per_net: weakref.WeakKeyDictionary[object, GuideCache] = weakref.WeakKeyDictionary()


def guide_cache_for(net: DreamNet) -> GuideCache:
    """The cache callers share for ``net`` when they bring none of their own."""
    return _per_net.setdefault(net, GuideCache())
