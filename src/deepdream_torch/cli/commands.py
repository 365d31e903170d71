"""The friendly subcommands beside the original form: ``layers``, ``convert``, ``zoo list|get``, ``frames list``,
``demo``.

Each is one call into the library (or into the CLI module that prints its result); imports are inside the
functions so that ``deepdream --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deepdream_torch.cli.flags import DEFAULT_MODEL_NAME


def register(app: typer.Typer) -> None:
    """Add the subcommands to ``app``."""
    app.command(rich_help_panel="Commands")(layers)
    app.command(rich_help_panel="Commands")(convert)
    app.command(rich_help_panel="Commands")(demo)
    zoo = typer.Typer(help="The model zoo: list the models, download one.", no_args_is_help=True)
    zoo.command("list")(zoo_list)
    zoo.command("get")(zoo_get)
    app.add_typer(zoo, name="zoo", rich_help_panel="Commands")
    frames = typer.Typer(help="The frames folders of a video: one per dream settings.", no_args_is_help=True)
    frames.command("list")(frames_list)
    app.add_typer(frames, name="frames", rich_help_panel="Commands")
    app.command(rich_help_panel="Commands")(studio)


def _model_name(help: str) -> typer.models.OptionInfo:
    """``-m/--model-name``, spelled once for the subcommands that load a model."""
    return typer.Option("-m", "--model-name", metavar="FILE", help=help)


def _model_path(help: str) -> typer.models.OptionInfo:
    """``-p/--model-path``, spelled once for the subcommands that load a model."""
    return typer.Option("-p", "--model-path", metavar="DIR", help=help)


def layers(
    model_name: Annotated[str, _model_name("The .caffemodel file in the model folder.")] = DEFAULT_MODEL_NAME,
    model_path: Annotated[Path | None, _model_path("The model folder (default: in the models root).")] = None,
) -> None:
    """List a model's blobs (the names --layers takes) with their shapes; the same as --mode 5."""
    from deepdream_torch.cli.layers_table import show_layers

    show_layers(model_name, model_path)


def convert(
    prototxt: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The deploy .prototxt.")],
    caffemodel: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The .caffemodel weights.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", metavar="OUT.safetensors", help="Write the weights here.")
    ] = None,
    onnx: Annotated[
        Path | None, typer.Option("--onnx", metavar="OUT.onnx", help="Write the net up to --until as ONNX.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="BLOB", help="The last blob of the ONNX graph (its output).")
    ] = None,
) -> None:
    """Convert a Caffe model to PyTorch weights (safetensors) and/or an ONNX graph up to one blob."""
    from deepdream_torch.cli.convert import convert_model

    convert_model(prototxt, caffemodel, output, onnx, until)


def demo(
    input: Annotated[
        Path | None,
        typer.Option("--input", "-i", metavar="VIDEO", help="Your own clip (default: a generated 2-second sample)."),
    ] = None,
    device: Annotated[str, typer.Option("--device", help="auto, cpu, cuda or cuda:N.")] = "auto",
    verbose: Annotated[int, typer.Option("-v", "--verbose", min=1, max=2, help="1: one bar; 2: details.")] = 2,
    model_name: Annotated[str | None, _model_name("Your model's .caffemodel (default: bvlc_googlenet).")] = None,
    model_path: Annotated[Path | None, _model_path("Your model's folder.")] = None,
    layers: Annotated[
        list[str] | None,
        typer.Option("-l", "--layers", metavar="BLOB", help="A blob to dream (repeat for several; default: the model's)."),
    ] = None,
) -> None:
    """Dream a short clip into data/ with bvlc_googlenet (fetched and sha1-checked on first use), or with your own
    model: deepdream demo -p FOLDER -m NAME.caffemodel [-l BLOB]."""
    from deepdream_torch.cli.demo import run_demo

    run_demo(input, device, verbose, model_name, model_path, tuple(layers or ()))


def frames_list(
    extract: Annotated[
        Path, typer.Option("-e", "--extract", metavar="VIDEO", help="The video whose dreams to list.")
    ],
    output_dir: Annotated[
        Path | None,
        typer.Option("-o", "--output", metavar="DIR", help="The dreamed frames' root (default: data/output_frames)."),
    ] = None,
) -> None:
    """List a video's frames folders (one per dream settings) with their settings, frames and video."""
    from deepdream_torch.cli.folder_words import show_frames_folders

    show_frames_folders(extract, output_dir)


def zoo_list() -> None:
    """List the zoo's models, in the order of mode 4's menu."""
    from deepdream_torch.cli import console as consoles
    from deepdream_torch.cli.zoo_menu import zoo_table

    consoles.out().print(zoo_table(numbered=False))


def zoo_get(
    name: Annotated[str, typer.Argument(help="A model name from `deepdream zoo list`.")],
    verbose: Annotated[
        int,
        typer.Option(
            "-v", "--verbose", min=1, max=2, help="1: the model and its layers; 2: also where its converted weights are."
        ),
    ] = 2,
) -> None:
    """Download a zoo model (progress bar, sha1 check), convert it once, and list its layers."""
    from deepdream_torch.cli.zoo_menu import get_model

    get_model(name, verbose)


def studio(
    data: Annotated[Path, typer.Option("--data", metavar="DIR", help="The data folder it serves.")] = Path("data"),
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")] = 8765,
    host: Annotated[str, typer.Option("--host", help="Listen here (default loopback only).")] = "127.0.0.1",
) -> None:
    """A local web page to dream pictures and videos (needs the studio extra); prints its address with a token."""
    from deepdream_torch.studio.serve import serve

    serve(data, port, host)
