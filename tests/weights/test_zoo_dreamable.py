"""The zoo manifest's `dreamable` statuses agree with what converting the published prototxt finds, for every zoo
model whose prototxt is on hand (../shared/models, tests/data/zoo), and `deepdream zoo list` shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from deepdream_torch import load_caffe
from deepdream_torch.cli.zoo_menu import zoo_table
from deepdream_torch.weights.manifest import zoo_models

ZOO_DATA = Path(__file__).parents[1] / "data" / "zoo"
ON_HAND = {"hed_pretrained_bsds": ZOO_DATA / "hed_deploy.prototxt"}  # zoo models whose prototxt is test data
STATUSES = ("dreamable", "dreamable (train/test net)", "dreamable up to ", "not a picture net")


def test_every_status_is_one_of_the_documented_forms():
    for name, entry in zoo_models().items():
        if entry.dreamable is not None:
            assert entry.dreamable.startswith(STATUSES), f"{name}: {entry.dreamable!r}"


def test_every_model_whose_blobs_we_chose_has_a_status():
    # dream_layers were chosen from the prototxt's blob names, so that prototxt was seen: its status is known.
    missing = [name for name, entry in zoo_models().items() if entry.dream_layers and entry.dreamable is None]
    assert not missing


def test_the_status_of_each_prototxt_on_hand_is_what_conversion_finds(shared):
    checked = 0
    for name, entry in zoo_models().items():
        prototxt = ON_HAND.get(name, shared / "models" / name / "deploy.prototxt")
        if not prototxt.is_file():
            continue
        net = load_caffe(prototxt, meta=True)
        first = next((i for i, blob in enumerate(net.listing) if blob in net.unconverted), None)
        found = "dreamable" if first is None else f"dreamable up to {net.listing[first - 1]}"
        assert entry.dreamable == found, name
        checked += 1
    if not checked:
        pytest.skip("no zoo prototxt in ../shared/models")


def test_zoo_list_shows_the_status():
    console = Console(width=240, record=True)
    console.print(zoo_table(numbered=False))
    # Each row's first line: model │ what it is │ license │ dreamable │ here (long cells wrap onto more lines).
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in console.export_text().splitlines()]
    status = {row[0]: row[3] for row in cells if len(row) == 5 and row[0]}
    assert status["bvlc_googlenet"] == "dreamable"
    assert status["s2s_vgg_pstream_allvocab_fac2_iter_16000"].startswith("not a picture")
    assert status["gender_net"] == "unknown"
