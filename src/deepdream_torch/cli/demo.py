"""``deepdream demo`` (what ``make demo`` runs): bvlc_googlenet on a short clip, mode 0 with ``--flow dis`` into data/.

Never random weights: the model is fetched (and sha1-checked) through the zoo on first use; offline, the zoo's
one-line error says how to point DEEPDREAM_MODELS at a local copy.
"""

from __future__ import annotations

from pathlib import Path

from deepdream_torch.cli import console as consoles
from deepdream_torch.cli.flags import Flags
from deepdream_torch.cli.model import fetch
from deepdream_torch.cli.run import run_flags
from deepdream_torch.cli.sample import write_sample_clip

DEMO_MODEL = "bvlc_googlenet"
SAMPLE_CLIP = Path("data/videos/deepdream_sample.mp4")
SAMPLE_FPS = 12  # 24 frames: a couple of minutes on a laptop CPU at the original's default settings


def run_demo(clip: Path | None = None, device: str = "auto", verbose: int = 2) -> None:
    """Fetch the model, make the sample clip unless one is given, dream it with mode 0."""
    err = consoles.err()
    files = fetch(DEMO_MODEL, err)
    if clip is None:
        clip = SAMPLE_CLIP if SAMPLE_CLIP.is_file() else write_sample_clip(SAMPLE_CLIP, fps=SAMPLE_FPS)
        err.print(f"sample clip: {clip}")
    # --flow dis: the dream follows the picture's motion (the sample clip moves) instead of smearing.
    run_flags(Flags(mode=0, extract=clip, model_path=files.folder, device=device, verbose=verbose, flow="dis"))
