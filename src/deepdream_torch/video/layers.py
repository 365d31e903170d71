"""Which layer each frame dreams: the layer list cycles one layer per frame, keyed by frame number."""

from __future__ import annotations

from collections.abc import Sequence

from deepdream_torch.video.errors import VideoError


def layer_for_frame(layers: Sequence[str], number: int) -> str:
    """``layers[number % len(layers)]`` for frame ``number`` (1-based).

    The original counted frames from 1 and indexed its list with that count, so frame 1 dreams the list's
    second layer; kept, so that a ``customloop`` video cycles through the layers on the same frames as before.
    Keyed by frame number, so a resumed or partial (start frame) run gets the same layer for each frame.
    """
    if not layers:
        raise VideoError("no layer given to dream: name at least one layer")
    return layers[number % len(layers)]
