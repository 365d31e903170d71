"""Dockerfile.cuda, read rather than built (no Docker engine here): what it copies exists, what it runs is ours."""

from __future__ import annotations

import importlib
import json
import shlex
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile.cuda"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    joined = DOCKERFILE.read_text().replace("\\\n", " ")
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def test_everything_it_copies_exists_and_is_not_dockerignored() -> None:
    copies = [shlex.split(rest) for keyword, rest in instructions() if keyword in ("COPY", "ADD")]
    assert copies
    ignore = (REPO / ".dockerignore").read_text().splitlines()
    kept = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert "*" in ignore  # everything else stays out of the context
    for *sources, _destination in copies:
        for source in sources:
            assert (REPO / source).exists(), source
            assert source.rstrip("/") in kept, f"{source} is excluded by .dockerignore"


def test_entrypoint_is_the_installed_console_script() -> None:
    entrypoints = [json.loads(rest) for keyword, rest in instructions() if keyword == "ENTRYPOINT"]
    assert len(entrypoints) == 1 and len(entrypoints[0]) == 1
    script = entrypoints[0][0]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert script in scripts
    module, _, function = scripts[script].partition(":")
    assert callable(getattr(importlib.import_module(module), function))


def test_installs_the_package_and_keeps_the_original_folders() -> None:
    pairs = instructions()
    assert any(k == "FROM" and ("pytorch/pytorch" in r or r == "${BASE}") for k, r in pairs)
    assert any(k == "ARG" and "cudnn" in r and "runtime" in r for k, r in pairs)
    assert any(k == "RUN" and "pip install" in r and " ." in r for k, r in pairs)
    volumes = [json.loads(r) for k, r in pairs if k == "VOLUME"]
    assert volumes == [["/data", "/models"]]


def test_its_environment_puts_frames_in_data_and_models_in_the_models_volume(monkeypatch: pytest.MonkeyPatch) -> None:
    from deepdream_torch.video import paths
    from deepdream_torch.weights import store

    env = dict(item.split("=", 1) for k, r in instructions() if k == "ENV" for item in shlex.split(r))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert paths.input_root() == Path("/data/input_frames")
    assert paths.output_root() == Path("/data/output_frames")
    assert store.models_root() == Path("/models")
    assert store.home().is_relative_to("/models")  # converted weights persist in the volume too
