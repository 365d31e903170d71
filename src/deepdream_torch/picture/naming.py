"""The original tool's output file names for single-picture mode."""

from __future__ import annotations

from deepdream_torch.dreaming.settings import DreamSettings

IMAGE_TYPES = ("jpg", "png")


def output_name(picture: str, layer: str, settings: DreamSettings, seconds: float, image_type: str) -> str:
    """``dream_<pic>_L-<layer>_i-<itr>_o-<oct>_os-<scale>_ss-<step>_j-<jitter>_(<seconds>sec).<type>``; a
    ``/`` in the layer name becomes ``-`` so the name stays one file."""
    return (
        f"dream_{picture}_L-{layer.replace('/', '-')}_i-{settings.iterations}_o-{settings.octaves}"
        f"_os-{settings.octave_scale:g}_ss-{settings.step_size:g}_j-{settings.jitter}"
        f"_({round(seconds)}sec).{image_type}"
    )
