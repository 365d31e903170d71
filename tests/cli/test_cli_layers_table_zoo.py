"""Mode 5 on published nets that do not fully convert: a detector's unconverted head is listed with what stops
it, and a train/test-only net lists its blobs under the one line that says how it was read."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console

from deepdream_torch.cli.layers_table import layers_table
from deepdream_torch.weights.discovery import ModelFiles
from tests.cli.cli_helpers import run
from tests.cli.test_cli_layers_table import rows

ZOO = Path(__file__).parents[1] / "data" / "zoo"


def test_blobs_behind_an_unconverted_layer_are_listed_with_it():
    table = layers_table(ModelFiles(ZOO / "ssd300_vgg_voc0712_deploy.prototxt", Path("ssd.caffemodel")))
    by_blob = rows(table)
    assert by_blob["conv4_3_norm"]["dreamable"] == "yes"  # Normalize converts
    assert by_blob["conv4_3_norm_mbox_priorbox"]["shape (C×H×W)"] == "?"
    assert by_blob["conv4_3_norm_mbox_priorbox"]["dreamable"] == "no (PriorBox 'conv4_3_norm_mbox_priorbox')"
    assert by_blob["detection_out"]["dreamable"].startswith("no (PriorBox")
    assert "not converted" in str(table.caption)
    Console(width=120, record=True).print(table)  # renders


def test_a_train_val_only_model_lists_its_blobs_and_says_how_it_was_read(workdir: Path):
    folder = workdir / "models" / "squeezenet"
    folder.mkdir(parents=True)
    shutil.copy(ZOO / "squeezenet_v1.1_train_val.prototxt", folder / "train_val.prototxt")
    result = run("layers", "-p", "models/squeezenet", "-m", "squeezenet.caffemodel")
    assert result.exit_code == 0, result.output
    assert "fire9/concat" in result.output
    assert "train/test net: TEST phase; input 'data' from Data layer 'data'" in " ".join(result.output.split())
