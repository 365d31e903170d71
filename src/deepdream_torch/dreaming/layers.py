"""Layer lists the CLI, the single-picture mode and the video pipeline share, and the layer a model dreams when
none is named."""

from __future__ import annotations

from collections.abc import Sequence

from deepdream_torch.dreaming.dream_net import SteppedNet
from deepdream_torch.dreaming.errors import DreamError

DEFAULT_LAYER = "inception_4c/output"

# The original tool's `customloop`: up the inception stack and back down. Single-picture mode dreams each
# distinct layer once; the video pipeline cycles through the list as it is, duplicates included.
CUSTOMLOOP: tuple[str, ...] = (
    "inception_4c/output",
    "inception_4d/output",
    "inception_4e/output",
    "inception_5a/output",
    "inception_5b/output",
    "inception_5a/output",
    "inception_4e/output",
    "inception_4d/output",
    "inception_4c/output",
)


def layer_for_frame(layers: Sequence[str], number: int) -> str:
    """``layers[(number - 1) % len(layers)]`` for frame ``number`` (1-based): frame 1 dreams the first layer.

    This is the rule of the Docker image's ``deepdream.py`` whose flags we keep (graphific's earlier scripts used
    ``frame_i % n`` and so started on the second layer). Keyed by frame number, so a resumed or partial (start
    frame) run gets the same layer for each frame, in a video as in a zoom animation.
    """
    if not layers:
        raise DreamError("no layer given to dream: name at least one layer")
    return layers[(number - 1) % len(layers)]


def distinct(layers: tuple[str, ...] | list[str]) -> list[str]:
    """The layers in first-seen order, each once."""
    return list(dict.fromkeys(layers))


# Blocks whose output is a whole stage's features (inception concats, residual sums) dream better than the
# convolutions inside them; nets without blocks (AlexNet, VGG) fall back to their convolutions.
_BLOCK_TYPES = ("Concat", "Eltwise")
_CONV_TYPES = ("Convolution",)
# Two thirds of the way up: deep enough for objects and eyes, shallow enough to keep the picture's own shapes
# (the zoo's suggestions sit there: GoogLeNet's inception_4c..4e of 9 inception outputs, AlexNet's conv4/conv5).
_DEPTH = 2 / 3


def default_layers(net: SteppedNet, suggested: Sequence[str] = ()) -> tuple[tuple[str, ...], str]:
    """The layers to dream when the user named none, and why (for a ``-v 2`` line).

    GoogLeNet (every ``customloop`` blob present) dreams ``CUSTOMLOOP``; else the first of ``suggested`` (the
    zoo manifest's ``dream_layers``) the net has; else ``mid_depth_blob(net)``.
    """
    names = set(net.blob_names)
    if set(CUSTOMLOOP) <= names:
        return CUSTOMLOOP, "GoogLeNet's customloop"
    for layer in suggested:
        if layer in names:
            return (layer,), "the zoo's suggestion for this model"
    return (mid_depth_blob(net),), "a mid-depth convolutional blob of the net"


def mid_depth_blob(net: SteppedNet) -> str:
    """A blob two thirds of the way up the net's spatial blocks (Concat/Eltwise outputs), or of its
    convolutions when it has no blocks; deterministic, from the prototxt's structure alone."""
    for types in (_BLOCK_TYPES, _CONV_TYPES):
        candidates = [
            step.layer
            for step in net.steps
            if step.type in types and _spatial(net.blob_shapes.get(step.layer, ()))
        ]
        if candidates:
            return candidates[int(len(candidates) * _DEPTH)]
    raise DreamError(f"{net.name} has no convolutional blob to dream: name one with --layers")


def _spatial(shape: Sequence[int]) -> bool:
    """A feature map with some extent (not a vector after global pooling or an inner product)."""
    return len(shape) == 4 and shape[2] > 1 and shape[3] > 1
