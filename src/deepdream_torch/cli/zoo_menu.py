"""Mode 4's numbered menu of zoo models, and what ``deepdream zoo get NAME`` does once a model is chosen:
download (progress bar, sha1 check), convert once into the cache, list its layers."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from deepdream_torch.cli import console as consoles
from deepdream_torch.weights.discovery import ModelFiles
from deepdream_torch.weights.manifest import zoo_entry, zoo_models
from deepdream_torch.weights.store import caffemodel_name, models_root

PROMPT = "Enter the number of model (or press q to quit) :\n> "


def zoo_table(numbered: bool = True) -> Table:
    """Every zoo model in the manifest's order (the original menu's order), ✓ where already downloaded."""
    root = models_root()
    models = zoo_models()
    table = Table(title=f"{len(models)} zoo models (downloads go to {root})", title_justify="left")
    if numbered:
        table.add_column("#", justify="right")
    # The name is what users type: never cut it short, let the descriptions wrap instead.
    table.add_column("model", no_wrap=True, min_width=max(len(name) for name in models))
    table.add_column("what it is", ratio=2)
    table.add_column("license", ratio=1)
    table.add_column("dreamable", ratio=1)
    table.add_column("here", style="green", no_wrap=True)
    for number, (name, entry) in enumerate(models.items()):
        here = "✓" if (root / name / caffemodel_name(name)).exists() else ""
        row = [name, entry.title, entry.license or "unknown", entry.dreamable or "unknown", here]
        table.add_row(*([str(number)] if numbered else []), *row)
    return table


def choose(names: list[str], ask: Callable[[str], str], say: Callable[[str], object]) -> str | None:
    """The name picked by number, as the original's menu asked; None for q (or the end of the input)."""
    while True:
        try:
            answer = ask(PROMPT).strip()
        except EOFError:
            return None
        if answer.lower() == "q":
            return None
        if answer.isdigit() and int(answer) < len(names):
            return names[int(answer)]
        say(f"Wrong input! {answer!r} is invalid, please try again.")


def get_model(name: str, verbose: int = 2) -> ModelFiles:
    """Download (if needed), convert into the cache, and print the layers of zoo model ``name``."""
    # Here, not at the top: `deepdream zoo list` needs only the table, and these import torch.
    from deepdream_torch.cli.layers_table import layers_table
    from deepdream_torch.cli.model import fetch
    from deepdream_torch.weights.cache import convert_to_cache

    entry = zoo_entry(name)
    err, out = consoles.err(), consoles.out()
    files = fetch(entry.name, err)
    with err.status(f"converting {files.caffemodel.name} to PyTorch"):
        converted = convert_to_cache(files)
    if verbose >= 2:
        err.print(f"converted weights: {converted.weights}" + ("" if converted.converted_now else " (cached)"))
    out.print(f"Model Path : {files.folder}")
    out.print(f"Model Name : {files.caffemodel.name}")
    if entry.notes:
        out.print(f"Note : {entry.notes}")
    out.print(layers_table(files))
    first = entry.dream_layers[0] if entry.dream_layers else "BLOB"
    out.print(f"dream with: deepdream -m {files.caffemodel.name} -l {first} -e VIDEO | -sp PICTURE")
    return files


def run_menu(verbose: int = 2, console: Console | None = None) -> ModelFiles | None:
    """Mode 4: the numbered menu; q quits without downloading anything."""
    console = console or consoles.out()
    console.print(zoo_table())
    name = choose(list(zoo_models()), ask=console.input, say=console.print)
    if name is None:
        return None
    return get_model(name, verbose)
