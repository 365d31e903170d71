"""A job as the page asks for it, turned into the ``deepdream`` command line that does the same from a terminal.

The page sends a small JSON value (kind, source, model, layers, dream settings); ``JobSpec.from_json`` checks its
types and paths (every path inside the data folder, the model one the studio listed), and ``argv`` is the CLI's
own flags, so a job and the command shown beside it are the same run by construction, and the CLI's checks and
messages apply to both.
"""

from __future__ import annotations

import shlex
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from deepdream_torch.studio.errors import StudioError
from deepdream_torch.studio.paths import PICTURE_SUFFIXES, VIDEO_SUFFIXES, inside, relative_name

KINDS = ("picture", "video", "zoom")
FLOWS = ("off", "dis", "farneback")


@dataclass(frozen=True)
class JobSpec:
    kind: str
    source: str  # relative to the data folder
    model_name: str
    model_folder: str | None  # the model's folder as the studio listed it (None: the models root's)
    layers: tuple[str, ...] = ()
    octaves: int | None = None
    iterations: int | None = None
    step_size: float | None = None
    jitter: int | None = None
    guide: str | None = None
    blend: float | None = None
    flow: str = "off"
    temporal: float | None = None
    zoom_frames: int = 24
    end_frame: int | None = None
    channels: str | None = None  # --channels as typed, e.g. "12,40-45" (checked by the CLI's own parser)
    extra: tuple[str, ...] = field(default=())  # flags the studio does not model, none today

    @classmethod
    def from_json(cls, data: Path, value: Any, model_folders: dict[str, str | None]) -> JobSpec:
        """The spec of a request body; StudioError (one line) for anything malformed."""
        if not isinstance(value, dict):
            raise StudioError("a job is a JSON object")
        kind = value.get("kind")
        if kind not in KINDS:
            raise StudioError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        source = _name(value.get("source"), "source")
        suffixes = VIDEO_SUFFIXES if kind == "video" else PICTURE_SUFFIXES
        path = inside(data, source)
        if not path.is_file() or path.suffix.lower() not in suffixes:
            raise StudioError(f"{source} is not a {'video' if kind == 'video' else 'picture'} in the data folder")
        model = value.get("model")
        if model not in model_folders:
            raise StudioError(f"no model {model!r} here: pick one the studio lists (or get it from the zoo)")
        guide = value.get("guide") or None
        if guide is not None:
            guide = _name(guide, "guide")
            if not inside(data, guide).is_file():
                raise StudioError(f"no guide picture {guide} in the data folder")
        layers = value.get("layers") or []
        if not isinstance(layers, list) or not all(isinstance(x, str) and x and not x.startswith("-") for x in layers):
            raise StudioError("layers must be a list of blob names")
        flow = value.get("flow") or "off"
        if flow not in FLOWS:
            raise StudioError(f"flow must be one of {', '.join(FLOWS)}")
        return cls(
            kind, relative_name(data, path), str(model), model_folders[model], tuple(layers),
            _number(value, "octaves", int), _number(value, "iterations", int), _number(value, "step_size", float),
            _number(value, "jitter", int), guide, _number(value, "blend", float), flow,
            _number(value, "temporal", float), _number(value, "zoom_frames", int) or 24,
            _number(value, "end_frame", int), _channels(value.get("channels")),
        )

    def argv(self) -> list[str]:
        """The CLI's flags for this job, paths as ``data/...`` relative to the job's working folder."""
        source = f"data/{self.source}"
        args = ["-e", source] if self.kind == "video" else ["-sp", source]
        if self.kind == "zoom":
            args += ["--zoom-frames", str(self.zoom_frames)]
        if self.model_folder is not None:
            args += ["-p", self.model_folder]
        args += ["-m", self.model_name]
        if self.layers:
            args += ["-l", *self.layers]
        if self.channels:
            args += ["--channels", self.channels]
        for flag, value in (("-oct", self.octaves), ("-itr", self.iterations), ("-s", self.step_size),
                            ("-j", self.jitter)):
            if value is not None:
                args += [flag, _text(value)]
        if self.guide:
            args += ["-gi", f"data/{self.guide}"]
        if self.kind == "video":
            if self.blend is not None:
                args += ["-b", _text(self.blend)]
            if self.flow != "off":
                args += ["--flow", self.flow]
                if self.temporal is not None:
                    args += ["--temporal", _text(self.temporal)]
            if self.end_frame is not None:
                args += ["-ef", str(self.end_frame)]
        return args

    def command(self, workdir: Path) -> str:
        """What to type in a terminal for the same run."""
        return f"cd {shlex.quote(str(workdir))} && deepdream {shlex.join(self.argv())}"

    def as_json(self) -> dict[str, Any]:
        value = asdict(self)
        value["model"] = value.pop("model_name")
        return value


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise StudioError(f"{what} must be a file name in the data folder")
    return value


def _channels(value: Any) -> str | None:
    """The channels field as the CLI takes it (``12,40-45``), or None when empty; the CLI's message if malformed."""
    from deepdream_torch.cli.channels import parse_channels
    from deepdream_torch.cli.errors import CliError

    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise StudioError("channels must be text such as 12,40-45")
    text = value.replace(" ", "")
    try:
        parse_channels(text)
    except CliError as error:
        raise StudioError(str(error)) from error
    return text


def _number(value: dict[str, Any], key: str, kind: type) -> Any:
    given = value.get(key)
    if given is None or given == "":
        return None
    if isinstance(given, bool) or not isinstance(given, int | float) or (kind is int and int(given) != given):
        raise StudioError(f"{key.replace('_', ' ')} must be {'a whole number' if kind is int else 'a number'}")
    return kind(given)


def _text(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
