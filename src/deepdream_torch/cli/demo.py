"""``deepdream demo`` (what ``make demo`` runs): bvlc_googlenet, or your own model (``-p``/``-m``), on a short
clip, mode 0 with ``--flow dis`` into data/.

Never random weights: bvlc_googlenet is fetched (and sha1-checked) through the zoo on first use, offline the zoo's
one-line error says how to point DEEPDREAM_MODELS at a local copy or to demo with a model you have; your model must be on disk.
"""

from __future__ import annotations

from pathlib import Path

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.errors import CliError
from deepdream_torch.cli.flags import DEFAULT_MODEL_NAME, Flags
from deepdream_torch.cli.model import fetch, model_files
from deepdream_torch.cli.run import run_flags
from deepdream_torch.cli.sample import write_sample_clip
from deepdream_torch.weights import ZooError

DEMO_MODEL = "bvlc_googlenet"
SAMPLE_CLIP = Path("data/videos/deepdream_sample.mp4")
SAMPLE_FPS = 12  # 24 frames: a couple of minutes on a laptop CPU at the original's default settings


def run_demo(
    clip: Path | None = None,
    device: str = "auto",
    verbose: int = 2,
    model_name: str | None = None,
    model_path: Path | None = None,
    layers: tuple[str, ...] = (),
) -> None:
    """Make the sample clip unless one is given and dream it with mode 0: with bvlc_googlenet (fetched on first
    use), or with the model ``-m``/``-p`` name, which must be on disk (or in the zoo): never random weights.
    Without ``layers`` the model dreams its default ones (customloop for GoogLeNet)."""
    err = consoles.err()
    if model_name is None and model_path is None:
        try:
            files = fetch(DEMO_MODEL, err)
        except ZooError as error:
            # The same error (and exit code), with the way round it that needs no download.
            own = "deepdream demo -p FOLDER -m NAME.caffemodel (make demo MODEL=FOLDER/NAME.caffemodel)"
            error.args = (f"{error}; or demo with a model you have: {own}",)
            raise
    else:
        files = model_files(model_name or DEFAULT_MODEL_NAME, model_path, err)
        if not files.caffemodel.is_file() and not files.caffemodel.with_name(f"{files.caffemodel.name}.sha1").is_file():
            raise CliError(
                f"{files.caffemodel} is not there: the demo dreams with trained weights only; give the folder"
                " (-p) and the .caffemodel (-m) of a model you have"
            )
    if clip is None:
        clip = SAMPLE_CLIP if SAMPLE_CLIP.is_file() else write_sample_clip(SAMPLE_CLIP, fps=SAMPLE_FPS)
        err.print(f"sample clip: {clip}")
    # --flow dis: the dream follows the picture's motion (the sample clip moves) instead of smearing.
    run_flags(
        Flags(
            mode=0, extract=clip, model_path=files.folder, model_name=files.caffemodel.name, device=device,
            verbose=verbose, flow="dis", layers=layers or Flags.layers, layers_given=bool(layers),
        )
    )  # fmt: skip
