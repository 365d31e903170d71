"""The words a video's frames folder is named with when its settings differ, and ``deepdream frames list``.

A run whose settings differ from the dream already in ``<output>/<video>/`` goes to ``<video>_<words>/``
(``video.settings_folder``); the words are the flags' own, as the single-picture file names write them:
``i-6_b-0.85_L-inception_4c-output`` for ``-itr 6 --blend 0.85 --layers inception_4c/output``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from deepdream_torch.cli.flags import (
    CUSTOMLOOP,
    DEFAULT_JITTER_SEED,
    DEFAULT_MODEL_NAME,
    DEFAULT_REFINE_OCTAVES,
    DEFAULT_TEMPORAL,
    Checked,
    Flags,
)
from deepdream_torch.dreaming.layers import CUSTOMLOOP as CUSTOMLOOP_LAYERS
from deepdream_torch.dreaming.settings import DreamSettings
from deepdream_torch.video import paths
from deepdream_torch.video.blend import DEFAULT_BLEND
from deepdream_torch.video.paths import check_image_type

# Each setting's short name, in the order the words are written (the loop's numbers first, as in
# `i-10_o-4_os-1.4_ss-1.5_j-32`, then the blend and the layers). Settings without one (the prototxt's sha1, the
# mean: they come with the model) are told apart by the settings' sha1 (video.settings_folder).
WORDS = {
    "iterations": "i",
    "octaves": "o",
    "octave_scale": "os",
    "step_size": "ss",
    "jitter": "j",
    "blend": "b",
    "layers": "L",
    "model": "m",
    "guide": "g",
    "seed": "s",
    "channels": "ch",
    "channels_weight": "chw",
    "flow": "flow",
    "flow_quality": "fq",
    "temporal": "tw",
    "refine_octaves": "ro",
    "jitter_seed": "js",
    "precision": "p",
    "image_type": "t",
}
_NO_WORD = ("prototxt", "mean")
# A folder name stays well under the 255 bytes a file system allows: longer words are cut and hashed.
_LONGEST_WORDS = 100


def flag_settings(flags: Flags, checked: Checked) -> dict[str, object]:
    """What the flags alone say of a dream's settings, in the manifest's keys and values (``frame_settings``
    without the model's): what mode 3 matches a folder's dream against."""
    settings, blend = checked.settings, checked.blend
    return {
        **({"layers": list(checked.layers)} if flags.layers_given else {}),
        "octaves": settings.octaves,
        "octave_scale": settings.octave_scale,
        "iterations": settings.iterations,
        "jitter": settings.jitter,
        "step_size": settings.step_size,
        "blend": blend.value if blend.kind == "fixed" else blend.kind,
        "seed": flags.seed,
        "image_type": check_image_type(flags.image_type),
        "precision": precision_run(flags.precision, flags.device),
        **({"channels": flags.channels, "channels_weight": flags.channels_weight} if flags.channels else {}),
        **({"flow": checked.flow.method} if not checked.flow.off else {}),
        **({"flow_quality": checked.flow.quality} if checked.flow.method == "dis" else {}),
        # And the temporal pull, refining and the fixed jitter seed only when on: runs without them dream as before.
        **({"temporal": checked.flow.temporal} if checked.flow.temporal else {}),
        **({"refine_octaves": checked.flow.refine} if checked.flow.refine else {}),
        **({"jitter_seed": checked.jitter_seed} if checked.jitter_seed != "frame" else {}),
    }


def changed_from_defaults(flags: Flags, checked: Checked) -> list[str]:
    """The settings keys these flags set away from the defaults (the video's first dream, as a plain
    ``deepdream -e VIDEO`` makes it)."""
    default = DreamSettings()
    settings = checked.settings
    changed = [
        key
        for key in ("iterations", "octaves", "octave_scale", "step_size", "jitter")
        if getattr(settings, key) != getattr(default, key)
    ]
    if checked.blend != DEFAULT_BLEND:
        changed.append("blend")
    if flags.layers_given and tuple(checked.layers) != CUSTOMLOOP_LAYERS:
        changed.append("layers")
    if flags.model_name != DEFAULT_MODEL_NAME or flags.model_path is not None:
        changed.append("model")
    if flags.seed != 0:
        changed.append("seed")
    changed += [key for key in ("channels", "flow") if key in flag_settings(flags, checked)]
    if checked.flow.method == "dis" and checked.flow.quality != "fast":
        changed.append("flow_quality")
    # --flow's own defaults (the pull, refining, one jitter seed) go without saying: `flow-dis` names them.
    flowing = not checked.flow.off
    if checked.flow.temporal != (DEFAULT_TEMPORAL if flowing else 0.0):
        changed.append("temporal")
    if checked.flow.refine != (DEFAULT_REFINE_OCTAVES if flowing else 0):
        changed.append("refine_octaves")
    if checked.jitter_seed != (DEFAULT_JITTER_SEED if flowing else "frame"):
        changed.append("jitter_seed")
    if precision_run(flags.precision, flags.device) != precision_run("auto", flags.device):
        changed.append("precision")
    if check_image_type(flags.image_type) != "jpg":
        changed.append("image_type")
    if flags.guide_image is not None:  # `_guided` says there is one; the word says which, should two be dreamed
        changed.append("guide")
    return changed


def precision_run(precision: str, device: str) -> str:
    """What ``--precision`` runs as on ``--device`` here (fp32, bf16 or fp16): a frames folder records that, not
    ``auto``, so that a rerun on this machine resumes and a machine that resolves auto otherwise dreams apart."""
    from deepdream_torch.dreaming.device import precision_name, resolve_device

    return precision_name(precision, resolve_device(device))


def words(keys: Sequence[str], values: Mapping[str, Any], flags: Flags) -> str:
    """``i-6_b-0.85_L-inception_4c-output``: each of ``keys`` with its short name and its value in ``values``
    (the run's settings), in ``WORDS``' order; keys without a short name are left out ("" when none is left).
    A ``/`` becomes ``-`` so that the words stay one folder name."""
    parts = []
    for key in [*(key for key in WORDS if key in keys), *(key for key in keys if key not in WORDS)]:
        if key in _NO_WORD:
            continue
        value = _word_value(key, values.get(key), flags)
        parts.append(f"{WORDS.get(key, key)}-{value}".replace("/", "-").replace("\0", ""))
    text = "_".join(parts)
    if len(text) > _LONGEST_WORDS:
        text = f"{text[: _LONGEST_WORDS - 9]}_{hashlib.sha1(text.encode()).hexdigest()[:8]}"
    return text


def words_for(flags: Flags, checked: Checked, frame_settings: Mapping[str, Any]) -> Callable[[Sequence[str] | None], str]:
    """The words of a dream that cannot share the video's first folder: the flags set away from the defaults, or
    when there are none (the first folder holds a dream with other flags) the settings that differ from it."""
    own = words(changed_from_defaults(flags, checked), frame_settings, flags)

    def named(keys: Sequence[str] | None) -> str:
        text = own or words(keys or (), frame_settings, flags)
        return text or "other"  # settings that differ only where no word tells them: the sha1 is added then

    return named


def folder_for(root: Path, name: str, guided: bool) -> Callable[[str], Path]:
    """The frames folder a dream of the video ``name`` named with some words has: ``<root>/<name>_<words>``
    (``..._guided`` for a guided dream), or the video's first folder for no words."""

    def folder(words_: str) -> Path:
        return paths.frames_folder(root, f"{name}_{words_}" if words_ else name, guided)

    return folder


def video_name(name: str, words_: str) -> str:
    """The name the video of a dream named with ``words_`` carries: the frames folder's, ``_guided`` aside."""
    return f"{name}_{words_}" if words_ else name


def _word_value(key: str, value: Any, flags: Flags) -> str:
    if key == "layers":
        layers = tuple(value or ())
        return CUSTOMLOOP if layers == CUSTOMLOOP_LAYERS else ",".join(layers)
    if key == "model":
        return Path(flags.model_name).stem
    if key == "guide":
        return Path(flags.guide_image).stem if flags.guide_image is not None else "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def show_frames_folders(video: Path, output_dir: Path | None) -> None:
    """``deepdream frames list -e VIDEO``: each frames folder of the video, with its settings, how many frames it
    holds and the video made from them, so a user sees which dreams exist (and which command resumes which)."""
    from rich.table import Table

    from deepdream_torch.cli import console as consoles
    from deepdream_torch.video.settings_folder import dreams_of

    root, name = paths.output_root(output_dir), paths.video_name(video)
    found = dreams_of(root, name)
    if not found:
        consoles.out().print(f"no dreamed frames of {name} in {root}: dream some with deepdream -e {video}")
        return
    table = Table(title=f"frames folders of {name} in {root}", title_justify="left")
    for column in ("folder", "frames", "settings", "video"):
        table.add_column(column, overflow="fold")
    for dream in found:
        record = dream.record
        if record is None:
            table.add_row(dream.folder.name, str(dream.frames), "(not recorded)", "")
            continue
        state = "" if record.complete else f" (stopped at {record.done} of {record.total})"
        table.add_row(dream.folder.name, f"{dream.frames}{state}", describe(record.settings), _video(dream.folder))
    consoles.out().print(table)


def describe(settings: Mapping[str, Any]) -> str:
    """A recorded dream's settings in the folder names' words (every one, not only those away from defaults)."""
    parts = []
    for key, short in WORDS.items():
        if key not in settings or key == "model":
            continue
        value = settings[key]
        if key == "guide":
            if value is None:
                continue
            value = f"sha1 {str(value)[:10]}"
        elif key == "layers":
            layers = tuple(value or ())
            value = CUSTOMLOOP if layers == CUSTOMLOOP_LAYERS else ",".join(layers)
        elif isinstance(value, float):
            value = f"{value:g}"
        parts.append(f"{short}-{value}")
    parts += [f"{key}-{settings[key]}" for key in settings if key not in WORDS and key not in _NO_WORD]
    model = settings.get("model")
    return " ".join(parts) + (f" (model sha1 {str(model)[:10]})" if model else "")


def _video(folder: Path) -> str:
    from deepdream_torch.video.manifest import recorded_video

    recorded = recorded_video(folder)
    return str(recorded[0]) if recorded is not None and recorded[0].is_file() else ""
