"""The original tool's output file names for single-picture mode."""

from __future__ import annotations

from deepdream_torch.dreaming.settings import DreamSettings

IMAGE_TYPES = ("jpg", "png")


def output_name(
    picture: str, layer: str, settings: DreamSettings, seconds: float, image_type: str, tag: str = ""
) -> str:
    """``dream_<pic>_L-<layer>[_<tag>]_i-<itr>_o-<oct>_os-<scale>_ss-<step>_j-<jitter>_(<seconds>sec).<type>``;
    a ``/`` in the layer name becomes ``-`` so the name stays one file. ``tag`` names what else shaped the dream
    (``ch-12,40-45`` for a channel objective)."""
    return (
        f"dream_{picture}_L-{layer.replace('/', '-')}{_tagged(tag)}_{settings_part(settings)}"
        f"_({round(seconds)}sec).{image_type}"
    )


def settings_part(settings: DreamSettings) -> str:
    """``i-<itr>_o-<oct>_os-<scale>_ss-<step>_j-<jitter>``: the settings as the original's names wrote them."""
    return (
        f"i-{settings.iterations}_o-{settings.octaves}_os-{settings.octave_scale:g}"
        f"_ss-{settings.step_size:g}_j-{settings.jitter}"
    )


def sheet_name(settings: DreamSettings, tag: str = "") -> str:
    """``contact_sheet[_<tag>]_i-10_o-4_os-1.4_ss-1.5_j-32.jpg``: runs with other settings keep their own sheet."""
    return f"contact_sheet{_tagged(tag)}_{settings_part(settings)}.jpg"


def _tagged(tag: str) -> str:
    return f"_{tag.replace('/', '-')}" if tag else ""
