"""The zoo manifest (`zoo.toml`, data) read into small typed entries."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.store import caffemodel_name, model_stem

UNKNOWN = "unknown"
_MANIFEST = "zoo.toml"


@dataclass(frozen=True)
class ZooEntry:
    """One zoo model: where its files come from and what is known about it; None where the fact is unknown."""

    name: str
    title: str
    caffemodel_url: str | None
    sha1: str | None
    prototxt_url: str | None
    license: str | None
    mean_bgr: tuple[float, float, float] | None
    dream_layers: tuple[str, ...]  # empty when unknown
    caffemodel_member: str | None = None
    prototxt_member: str | None = None
    readme_url: str | None = None
    gist: str | None = None
    notes: str = ""
    # What a dream can use of the model's published prototxt: "dreamable", "dreamable up to <blob>", "not a picture
    # net (...)"...; None where we have not seen that prototxt.
    dreamable: str | None = None

    @property
    def caffemodel(self) -> str:
        """The weights' file name in the model folder."""
        return caffemodel_name(self.name)


@cache
def zoo_models() -> Mapping[str, ZooEntry]:
    """Every zoo model by name, in the manifest's order (the original's mode-4 menu order first); read-only."""
    text = resources.files("deepdream_torch.weights").joinpath(_MANIFEST).read_text(encoding="utf-8")
    return MappingProxyType(parse_manifest(text))


def zoo_entry(name: str) -> ZooEntry:
    """The entry for a model name (with or without `.caffemodel`); unknown names suggest close ones."""
    models = zoo_models()
    stem = model_stem(name)
    if stem in models:
        return models[stem]
    by_lower = {key.lower(): key for key in models}
    close = difflib.get_close_matches(stem.lower(), by_lower, n=3, cutoff=0.6)
    if close:
        names = [by_lower[c] for c in close]
        hint = "did you mean " + (", ".join(names[:-1]) + " or " if len(names) > 1 else "") + names[-1] + "?"
    else:
        hint = "known models: " + ", ".join(sorted(models, key=str.lower))
    raise ZooError(f"unknown zoo model {stem!r}; {hint}")


def parse_manifest(text: str) -> dict[str, ZooEntry]:
    """Entries from manifest text; a malformed field raises ZooError naming the model and the field."""
    try:
        tables = tomllib.loads(text).get("models", {})
    except tomllib.TOMLDecodeError as error:
        raise ZooError(f"the zoo manifest is not valid TOML: {error}") from error
    return {name: _entry(name, fields) for name, fields in tables.items()}


def _entry(name: str, fields: dict[str, object]) -> ZooEntry:
    def text(key: str, required: bool = False) -> str | None:
        value = fields.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise ZooError(f"zoo manifest: {name}.{key} must be a non-empty string")
        return None if value == UNKNOWN else value

    known = {f for f in ZooEntry.__dataclass_fields__ if f != "name"}
    extra = set(fields) - known
    if extra:
        raise ZooError(f"zoo manifest: {name} has unknown fields {sorted(extra)}")
    sha1 = text("sha1", required=True)
    if sha1 is not None and (len(sha1) != 40 or any(c not in "0123456789abcdef" for c in sha1)):
        raise ZooError(f"zoo manifest: {name}.sha1 must be 40 lower-case hex digits or 'unknown'")
    return ZooEntry(
        name=name,
        title=text("title", required=True) or name,
        caffemodel_url=text("caffemodel_url", required=True),
        sha1=sha1,
        prototxt_url=text("prototxt_url", required=True),
        license=text("license", required=True),
        mean_bgr=_mean(name, fields.get("mean_bgr")),
        dream_layers=_layers(name, fields.get("dream_layers")),
        caffemodel_member=text("caffemodel_member"),
        prototxt_member=text("prototxt_member"),
        readme_url=text("readme_url"),
        gist=text("gist"),
        notes=text("notes") or "",
        dreamable=text("dreamable"),
    )


def _mean(name: str, value: object) -> tuple[float, float, float] | None:
    if value == UNKNOWN:
        return None
    if (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return (float(value[0]), float(value[1]), float(value[2]))
    raise ZooError(f"zoo manifest: {name}.mean_bgr must be [B, G, R] numbers or 'unknown'")


def _layers(name: str, value: object) -> tuple[str, ...]:
    if value == UNKNOWN:
        return ()
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise ZooError(f"zoo manifest: {name}.dream_layers must be a non-empty list of blob names or 'unknown'")
