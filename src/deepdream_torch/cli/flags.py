"""The original tool's flags, as values: what ``deepdream -e video.mp4 ...`` asked for, before anything runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Light (no torch): `deepdream --help` reads the defaults from here.
from deepdream_torch.dreaming.settings import DEFAULT_SETTINGS

if TYPE_CHECKING:  # only for the hints: `deepdream --help` imports this module and stays light
    import numpy as np

    from deepdream_torch.dreaming.settings import DreamSettings, Runtime
    from deepdream_torch.video.blend import Blend
    from deepdream_torch.video.flow import Flow
    from deepdream_torch.video.frame import FrameRange

CUSTOMLOOP = "customloop"  # the original's name for its built-in layer cycle (dream.layers.CUSTOMLOOP)
DEFAULT_MODEL_NAME = "bvlc_googlenet.caffemodel"
RANDOM_SEED = -1  # --seed -1: a random seed, as in neural-dream and the Stable Diffusion web UIs
MODES = {
    0: "extract frames, dream them, assemble the video",
    1: "extract frames only",
    2: "dream already-extracted frames only",
    3: "assemble the video from dreamed frames only",
    4: "download a model from the zoo (numbered menu)",
    5: "list the model's layers (blobs) and their shapes",
}


@dataclass(frozen=True)
class Flags:
    """One command line of the original form, defaults as in the original ``deepdream.py``.

    Paths left as None take their defaults later, where the environment is read (``DEEPDREAM_INPUT``,
    ``DEEPDREAM_OUTPUT``, ``DEEPDREAM_MODELS``), so that these values stay what the user typed.
    """

    mode: int = 0
    extract: Path | None = None
    single_picture: Path | None = None
    input_dir: Path | None = None
    output_dir: Path | None = None
    image_type: str = "jpg"
    verbose: int = 2
    guide_image: Path | None = None
    start_frame: int = 1
    end_frame: int | None = None
    model_path: Path | None = None
    model_name: str = DEFAULT_MODEL_NAME
    octaves: int = DEFAULT_SETTINGS.octaves
    octave_scale: float = DEFAULT_SETTINGS.octave_scale
    iterations: int = DEFAULT_SETTINGS.iterations
    jitter: int = DEFAULT_SETTINGS.jitter
    step_size: float = DEFAULT_SETTINGS.step_size
    blend: str = "0.5"
    layers: tuple[str, ...] = (CUSTOMLOOP,)
    zoom_frames: int | None = None  # H7 (artists): a zoom animation of this many frames from -sp
    zoom: float = 1.05
    rotate: float = 0.0
    pan: str = "0,0"
    zoom_fps: int = 24
    channels: str | None = None
    channels_weight: float = 0.0
    preview: bool = False
    preview_scale: float = 0.25
    preview_every: int = 10
    layers_given: bool = False  # whether --layers was typed: without it a model dreams its default layers
    flow: str = "off"
    flow_quality: str = "fast"
    temporal: float | None = None  # None: --flow's default (video.flow.parse_flow)
    jitter_seed: str | None = None  # None: --flow's default (video.flow.parse_flow)
    refine_octaves: int | None = None  # None: --flow's default (video.flow.parse_flow)
    ray: str | None = None  # a Ray address ('local': start one here); None: one process
    workers: int | None = None
    chunk_frames: int | None = None
    warmup: int | None = None
    threads: int | None = None
    tile: str = "auto"  # auto | off | a tile side in pixels, as typed (checked by the CLI)
    max_memory: str | None = None  # e.g. "2GiB"; None: the device's default budget
    device: str = "auto"
    seed: int = 0
    precision: str = "auto"  # recorded as what it runs as here (frames_folders.flag_settings)
    restart: bool = False
    crf: int | None = None
    chain: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Flags:
        """The flags from a parsed command line (parameter name → value, names as the fields here)."""
        values = {f.name: params[f.name] for f in fields(cls) if f.name in params}
        values["layers"] = tuple(values.get("layers") or (CUSTOMLOOP,))
        return cls(**values)


def runtime_of(flags: Flags, log: Callable[[int, str], None] | None = None) -> Runtime:
    """Where and how the flags ask the dreams to run (``--device``, ``--precision``, ``--tile``, ``--max-memory``),
    with ``log`` for their details."""
    from deepdream_torch.dreaming.settings import Runtime

    return Runtime(flags.device, flags.precision, flags.tile, flags.max_memory, log)


@dataclass(frozen=True)
class Checked:
    """The flags turned into the libraries' values, every one of them validated (``cli/run.py``'s ``check``)."""

    settings: DreamSettings
    blend: Blend
    frames: FrameRange
    layers: tuple[str, ...]
    guide: np.ndarray | None
    flow: Flow  # its defaults resolved (video.flow.parse_flow)
    jitter_seed: str = "frame"  # flow.jitter_seed: "frame" or "fixed" (video.flow.JITTER_SEEDS)
