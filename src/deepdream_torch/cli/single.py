"""``-sp PICTURE``: one dreamed picture per layer and a contact sheet, in ``data/single_pictures/<name>/``."""

from __future__ import annotations

from dataclasses import replace

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.flags import Flags
from deepdream_torch.cli.model import load
from deepdream_torch.cli.picture_progress import picture_bars
from deepdream_torch.cli.run import Checked
from deepdream_torch.dreaming.dream import check_layer
from deepdream_torch.dreaming.layers import distinct
from deepdream_torch.picture.single import SinglePictureResult, dream_single_picture


def run_single_picture(flags: Flags, checked: Checked) -> SinglePictureResult:
    """Dream ``flags.single_picture`` once per layer; ``-o`` replaces the output folder."""
    err = consoles.err()
    model = load(flags.model_name, flags.model_path, err)
    layers = distinct(checked.layers)
    for layer in layers:
        check_layer(model.net, layer)
    with picture_bars(err, len(layers), flags.verbose) as bars:
        result = dream_single_picture(
            flags.single_picture, model.net, layers,
            out_dir=flags.output_dir, image_type=flags.image_type,
            settings=replace(checked.settings, mean=model.mean), guide=checked.guide,
            device=flags.device, seed=flags.seed, precision=flags.precision, chain=flags.chain,
            progress=bars, log=bars.log,
        )  # fmt: skip
    out = consoles.out()
    for layer, path in result.pictures.items():
        out.print(f"{layer}: {path}")
    out.print(f"contact sheet: {result.contact_sheet}")
    return result
