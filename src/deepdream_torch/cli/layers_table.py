"""Mode 5 (and ``deepdream layers``): a model's blobs, the names ``--layers`` takes, with their shapes.

Shapes are those at the input size the prototxt declares (224x224 for the BVLC nets), batch left out. Only the
prototxt is read: listing the layers of a 500 MB model does not load its weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.table import Table

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.model import known_entry, local_files
from deepdream_torch.dreaming.dream import check_layer
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.layers import CUSTOMLOOP, default_layers
from deepdream_torch.weights.discovery import ModelFiles


@dataclass(frozen=True)
class LayerRow:
    """One blob of the table: its number, name, shape (``C×H×W``, ``?`` behind a layer that is not converted),
    whether ``--layers`` takes it (``yes``, ``no (fixed size)``, ``no (input)``, ``no (<type> '<layer>')``) and
    its marks (``default``, ``zoo``)."""

    number: int
    blob: str
    shape: str
    dreamable: str
    suggested: str
    converted: bool = True


@dataclass(frozen=True)
class LayersListing:
    """Every blob of a model's net (``rows``), the input size the shapes are at and the converter's notes."""

    name: str
    input_size: str
    rows: tuple[LayerRow, ...]
    notes: tuple[str, ...] = ()


def layer_rows(files: ModelFiles) -> LayersListing:
    """The table's data: every blob of the model's net with its shape, whether ``--layers`` takes it (a blob
    behind a fully connected layer takes one input size only, and a dream resizes), and the suggested ones. The
    console's table and the studio's page both show these rows."""
    from deepdream_torch.net.load import load_caffe

    net = load_caffe(files.prototxt, meta=True)  # shapes only: a huge num_output allocates nothing
    entry = known_entry(files.caffemodel.name)
    suggested = set(entry.dream_layers) if entry is not None else set()
    if not suggested and set(CUSTOMLOOP) <= set(net.blob_names):
        suggested = set(CUSTOMLOOP)
    default, _ = default_layers(net, entry.dream_layers if entry is not None else ())
    rows = []
    for number, name in enumerate(net.listing):
        if name in net.unconverted:  # behind a layer we cannot convert: no shape, not dreamable
            blocker = net.unconverted[name]
            rows.append(LayerRow(number, name, "?", f"no ({blocker.type} {blocker.layer!r})", "", converted=False))
            continue
        shape = "×".join(str(d) for d in net.blob_shapes[name][1:])
        marks = [word for word, yes in (("default", name in default), ("zoo", name in suggested)) if yes]
        rows.append(LayerRow(number, name, shape, _dreamable(net, name), ", ".join(marks)))
    size = "×".join(str(d) for d in net.input_shape[1:])
    return LayersListing(files.name, size, tuple(rows), tuple(net.notes))


def layers_table(files: ModelFiles) -> Table:
    """``layer_rows`` as a rich table: number, name, C×H×W, dreamable, suggested."""
    listing = layer_rows(files)
    table = Table(
        title=f"{listing.name}: {len(listing.rows)} blobs at input {listing.input_size}", title_justify="left",
        caption="\n".join(listing.notes) or None, caption_justify="left",
    )
    table.add_column("#", justify="right", style="dim")
    table.add_column("blob (--layers)")
    table.add_column("shape (C×H×W)", justify="right")
    table.add_column("dreamable", justify="center")
    table.add_column("suggested", style="green")
    for row in listing.rows:
        cells = (str(row.number), row.blob, row.shape, row.dreamable, row.suggested)
        table.add_row(*cells, style=None if row.converted else "dim")
    return table


def _dreamable(net: object, name: str) -> str:
    """``yes`` when --layers takes the blob (any picture size reaches it), ``no (fixed size)`` when only the
    declared input size does, ``no`` for the input itself."""
    if name in getattr(net, "input_names", ()):
        return "no (input)"
    try:
        check_layer(net, name)
    except DreamError:
        return "no (fixed size)"
    return "yes"


def show_layers(model_name: str, model_path: Path | None) -> None:
    """Print the layers table of the model ``-m``/``-p`` name, and how to dream one of them."""
    files = local_files(model_name, model_path)
    out = consoles.out()
    out.print(layers_table(files))
    weights = files.caffemodel
    if not weights.is_file() and not weights.with_name(f"{weights.name}.sha1").is_file():
        # The table needs only the prototxt; a dream needs the weights, so the hint below would fail as typed.
        out.print(f"no {weights.name} in {files.folder} yet: the layers come from the prototxt; put the weights"
                  " there to dream")
        return
    where = f" -p {files.folder}" if model_path is not None else ""
    out.print(f"dream with: deepdream -m {weights.name}{where} -l BLOB [BLOB ...] -e VIDEO | -sp PICTURE")
