"""The words a video's frames folder is named with when its settings differ, and ``deepdream frames list``.

A run whose settings differ from the dream already in ``<output>/<video>/`` goes to ``<video>_<words>/``
(``video.folder_choice``); the words are the flags' own, as the single-picture file names write them:
``i-6_b-0.85_L-inception_4c-output`` for ``-itr 6 --blend 0.85 --layers inception_4c/output``. One table
(``SETTINGS``) says of each setting its manifest key, its word, its value from the flags, when it is recorded and
when it is away from the defaults; the manifest record, the words, ``describe`` and ``changed_from_defaults`` all
read it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from deepdream_torch.cli.flags import (
    CUSTOMLOOP,
    DEFAULT_JITTER_SEED,
    DEFAULT_REFINE_OCTAVES,
    DEFAULT_TEMPORAL,
    Checked,
    Flags,
)
from deepdream_torch.dreaming.layers import CUSTOMLOOP as CUSTOMLOOP_LAYERS
from deepdream_torch.dreaming.settings import DEFAULT_SETTINGS
from deepdream_torch.video import paths
from deepdream_torch.video.blend import DEFAULT_BLEND
from deepdream_torch.video.paths import check_image_type


@dataclass(frozen=True)
class Setting:
    """One setting a frames folder records: its manifest ``key`` and folder ``word`` (None: told apart only by
    the settings' sha1), the ``value`` the flags give it, whether it is ``recorded`` (settings added later are
    recorded only when on, so that folders dreamed before them still resume) and whether the flags ``changed`` it
    from what a plain ``deepdream -e VIDEO`` dreams (the words a second dream's folder is named with)."""

    key: str
    word: str | None
    value: Callable[[Flags, Checked], object] | None = None  # None: from the model (``video_run.frame_settings``)
    recorded: Callable[[Flags, Checked], bool] = lambda flags, checked: True
    changed: Callable[[Flags, Checked], bool] = lambda flags, checked: False


_FLAG_DEFAULTS = {field.name: field.default for field in fields(Flags)}


def _away(name: str) -> Callable[[Flags, Checked], bool]:
    """The flag ``name`` is set away from its default."""
    return lambda flags, checked: getattr(flags, name) != _FLAG_DEFAULTS[name]


def _dream(name: str) -> Setting:
    """A dream setting (``DreamSettings``), changed when away from its default."""
    return Setting(
        name, WORD_OF_DREAM[name], lambda flags, checked: getattr(checked.settings, name),
        changed=lambda flags, checked: getattr(checked.settings, name) != getattr(DEFAULT_SETTINGS, name),
    )  # fmt: skip


def _flowing(flags: Flags, checked: Checked) -> bool:
    return not checked.flow.off


WORD_OF_DREAM = {"iterations": "i", "octaves": "o", "octave_scale": "os", "step_size": "ss", "jitter": "j"}

# Every setting a frames folder records, in the order the words are written (the loop's numbers first, as in
# `i-10_o-4_os-1.4_ss-1.5_j-32`, then the blend and the layers). --flow's own defaults (the pull, refining, one
# jitter seed) go without saying: `flow-dis` names them.
SETTINGS = (
    *(_dream(name) for name in WORD_OF_DREAM),
    Setting(
        "blend", "b", lambda flags, checked: checked.blend.value if checked.blend.kind == "fixed" else checked.blend.kind,
        changed=lambda flags, checked: checked.blend != DEFAULT_BLEND,
    ),
    Setting(
        "layers", "L", lambda flags, checked: list(checked.layers), recorded=lambda flags, checked: flags.layers_given,
        changed=lambda flags, checked: flags.layers_given and tuple(checked.layers) != CUSTOMLOOP_LAYERS,
    ),
    Setting("model", "m", changed=lambda flags, checked: _away("model_name")(flags, checked) or flags.model_path is not None),
    Setting("guide", "g", changed=lambda flags, checked: flags.guide_image is not None),
    Setting("seed", "s", lambda flags, checked: flags.seed, changed=_away("seed")),
    Setting(
        "channels", "ch", lambda flags, checked: flags.channels, recorded=lambda flags, checked: bool(flags.channels),
        changed=lambda flags, checked: bool(flags.channels),
    ),
    Setting(
        "channels_weight", "chw", lambda flags, checked: flags.channels_weight,
        recorded=lambda flags, checked: bool(flags.channels),
    ),
    Setting("flow", "flow", lambda flags, checked: checked.flow.method, recorded=_flowing, changed=_flowing),
    Setting(
        "flow_quality", "fq", lambda flags, checked: checked.flow.quality,
        recorded=lambda flags, checked: checked.flow.method == "dis",
        changed=lambda flags, checked: checked.flow.method == "dis" and checked.flow.quality != "fast",
    ),
    Setting(
        "temporal", "tw", lambda flags, checked: checked.flow.temporal,
        recorded=lambda flags, checked: bool(checked.flow.temporal),
        changed=lambda flags, checked: checked.flow.temporal != (DEFAULT_TEMPORAL if _flowing(flags, checked) else 0.0),
    ),
    Setting(
        "refine_octaves", "ro", lambda flags, checked: checked.flow.refine,
        recorded=lambda flags, checked: bool(checked.flow.refine),
        changed=lambda flags, checked: checked.flow.refine != (DEFAULT_REFINE_OCTAVES if _flowing(flags, checked) else 0),
    ),
    Setting(
        "jitter_seed", "js", lambda flags, checked: checked.jitter_seed,
        recorded=lambda flags, checked: checked.jitter_seed != "frame",
        changed=lambda flags, checked: checked.jitter_seed != (DEFAULT_JITTER_SEED if _flowing(flags, checked) else "frame"),
    ),
    Setting("precision", "p", lambda flags, checked: flags.precision, changed=_away("precision")),
    Setting(
        "image_type", "t", lambda flags, checked: check_image_type(flags.image_type),
        changed=lambda flags, checked: check_image_type(flags.image_type) != _FLAG_DEFAULTS["image_type"],
    ),
    # Recorded from the model, with no word: they come with it.
    Setting("prototxt", None),
    Setting("mean", None),
)
WORDS = {setting.key: setting.word for setting in SETTINGS if setting.word is not None}
_NO_WORD = tuple(setting.key for setting in SETTINGS if setting.word is None)
# A folder name stays well under the 255 bytes a file system allows: longer words are cut and hashed.
_LONGEST_WORDS = 100


def flag_settings(flags: Flags, checked: Checked) -> dict[str, object]:
    """What the flags alone say of a dream's settings, in the manifest's keys and values (``frame_settings``
    without the model's): what mode 3 matches a folder's dream against."""
    return {
        setting.key: setting.value(flags, checked)
        for setting in SETTINGS
        if setting.value is not None and setting.recorded(flags, checked)
    }


def changed_from_defaults(flags: Flags, checked: Checked) -> list[str]:
    """The settings keys these flags set away from the defaults (the video's first dream, as a plain
    ``deepdream -e VIDEO`` makes it)."""
    return [setting.key for setting in SETTINGS if setting.changed(flags, checked)]


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
    from deepdream_torch.video.folder_choice import dreams_of

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
