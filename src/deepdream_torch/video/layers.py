"""Which layer each frame dreams: the layer list cycles one layer per frame, keyed by frame number."""

from __future__ import annotations

from collections.abc import Sequence

from deepdream_torch.video.errors import VideoError


def layer_for_frame(layers: Sequence[str], number: int) -> str:
    """``layers[(number - 1) % len(layers)]`` for frame ``number`` (1-based): frame 1 dreams the first layer.

    This is the rule of the Docker image's ``deepdream.py`` whose flags we keep (graphific's earlier scripts used
    ``frame_i % n`` and so started on the second layer). Keyed by frame number, so a resumed or partial (start
    frame) run gets the same layer for each frame.
    """
    if not layers:
        raise VideoError("no layer given to dream: name at least one layer")
    return layers[(number - 1) % len(layers)]
