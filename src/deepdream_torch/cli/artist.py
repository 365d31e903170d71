"""The artists' flags (zoom animation, channel objectives, preview): checked before a model loads, turned into
the library's values after."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from deepdream_torch.cli.channels import parse_channels
from deepdream_torch.cli.errors import CliError
from deepdream_torch.cli.flags import Flags
from deepdream_torch.dreaming.objectives import Objective, channels, check_channels
from deepdream_torch.picture.zoom import Camera

# A pan past this many pixels per frame moves the whole picture out of every frame there is.
MAX_PAN = 10_000


def parse_pan(text: str) -> tuple[float, float]:
    """``"3,-2"`` → ``(3.0, -2.0)``."""
    parts = text.replace(" ", "").split(",")
    try:
        dx, dy = (float(part) for part in parts)
    except ValueError:
        raise CliError(f"--pan {text!r}: give two numbers of pixels per frame, DX,DY (e.g. --pan 2,0)") from None
    if not all(math.isfinite(d) and abs(d) <= MAX_PAN for d in (dx, dy)):
        raise CliError(
            f"--pan {text!r}: each of DX,DY must be a number of pixels per frame from -{MAX_PAN} to {MAX_PAN}"
        )
    return dx, dy


def camera(flags: Flags) -> Camera:
    """The zoom animation's move per frame."""
    if not flags.zoom > 0:
        raise CliError(f"--zoom {flags.zoom:g}: give a factor greater than 0 (1.05 zooms in 5% per frame)")
    return Camera(flags.zoom, flags.rotate, parse_pan(flags.pan))


def check_artist_flags(flags: Flags) -> None:
    """Every mistake in the artists' flags that can be seen without the model; raises CliError."""
    if flags.single_picture is not None and flags.extract is not None:
        raise CliError(
            "-e VIDEO and -sp PICTURE ask for two different runs: give -e for a video or -sp for a picture"
        )
    if flags.chain and (flags.single_picture is None or flags.zoom_frames is not None):
        # A video (and a zoom animation) dreams frame after frame: there is no chain of layers to ignore it in.
        raise CliError("--chain dreams a picture's layers each on the last one's result: it needs -sp PICTURE"
                       " without --zoom-frames")
    if flags.zoom_frames is not None:
        if flags.single_picture is None:
            raise CliError("--zoom-frames animates a picture: add -sp PICTURE (e.g. -sp data/hulk.jpg)")
        if flags.preview:
            raise CliError("--preview is for pictures and videos, not zoom animations: try the zoom with fewer frames")
        camera(flags)
    if flags.channels is not None:
        parse_channels(flags.channels)
        if flags.guide_image is not None:
            raise CliError("--channels and a guide picture (--gi) pull different ways: give one of them")
    if flags.preview and not 0 < flags.preview_scale <= 1:
        raise CliError(f"--preview-scale {flags.preview_scale:g}: give a fraction of the size, above 0 and at most 1")
    if flags.preview and flags.single_picture is None and (flags.mode != 0 or flags.extract is None):
        # Checked here, before the model is fetched: modes 1 and 3 dream nothing and would ignore --preview.
        raise CliError("--preview of a video needs the video itself: -e VIDEO (mode 0)")
    if flags.preview and flags.ray is not None:
        raise CliError("--preview dreams a few small frames here, not on Ray: drop --ray (or --preview)")


def objective_for(flags: Flags, net: torch.nn.Module, layers: tuple[str, ...]) -> Callable[[str], Objective] | None:
    """With ``--channels``, each layer's channel objective (the channels checked against each blob now, so that
    a wrong number stops before the first dream); else None, the plain ``l2`` objective."""
    if flags.channels is None:
        return None
    picked = parse_channels(flags.channels)
    for layer in dict.fromkeys(layers):
        check_channels(layer, picked, net.blob_shapes[layer][1])
    return lambda layer: channels(layer, picked, flags.channels_weight)
