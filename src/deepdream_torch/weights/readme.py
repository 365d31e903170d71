"""Facts from a model-zoo readme: the `key: value` front matter Caffe's own downloader read.

Caffe's format is YAML front matter between two `---` lines (`caffemodel`, `caffemodel_url`, `sha1`, `license`,
`gist_id`, …). Many community gists wrote the same keys without the `---` fences, or put the fences below an
`##Information` heading, so keys missing from the fenced block are taken from the first `key: value` line that
has them. Only flat string values occur in the zoo, so no YAML library is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = "---"
# A key is a word, possibly written with spaces ("caffemodel url:" occurs); the value is the rest of the line.
_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_ ]*?)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class ReadmeFacts:
    """What a readme says about its caffemodel; None where it says nothing."""

    caffemodel: str | None
    caffemodel_url: str | None
    sha1: str | None
    license: str | None
    gist_id: str | None


def front_matter(text: str) -> dict[str, str]:
    """The readme's `key: value` pairs, keys lower-cased with spaces as underscores; empty values dropped.

    Pairs inside the first `---` fenced block win; keys it lacks are taken from the first unfenced line that
    has them (gists that wrote their facts without fences, or put the fences below a heading).
    """
    lines = text.splitlines()
    pairs = _pairs(_fenced_block(lines))
    for key, value in _pairs(lines).items():
        pairs.setdefault(key, value)
    return pairs


def readme_facts(text: str) -> ReadmeFacts:
    """The download facts of a readme."""
    pairs = front_matter(text)
    sha1 = pairs.get("sha1")
    return ReadmeFacts(
        caffemodel=pairs.get("caffemodel"),
        caffemodel_url=pairs.get("caffemodel_url"),
        sha1=sha1.lower() if sha1 and re.fullmatch(r"[0-9a-fA-F]{40}", sha1) else None,
        license=pairs.get("license"),
        gist_id=pairs.get("gist_id"),
    )


def _pairs(lines: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in lines:
        match = _KEY_VALUE.match(line)
        # "http://…" on a line of its own is a link, not a key.
        if not match or match.group(2).startswith("//"):
            continue
        key = match.group(1).strip().lower().replace(" ", "_")
        value = match.group(2).strip().strip("\"'")
        if value and key not in pairs:
            pairs[key] = value
    return pairs


def _fenced_block(lines: list[str]) -> list[str]:
    """Lines between the first two `---` lines; empty when there are fewer than two."""
    fences = [i for i, line in enumerate(lines) if line.strip() == _FENCE][:2]
    return lines[fences[0] + 1 : fences[1]] if len(fences) == 2 else []
