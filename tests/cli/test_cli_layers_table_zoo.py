"""Mode 5 on published nets that do not fully convert: a detector's unconverted head is listed with what stops
it, and a train/test-only net lists its blobs under the one line that says how it was read."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console

from deepdream_torch.cli.layers_table import layers_table
from deepdream_torch.net.random_weights import write_random_caffemodel
from deepdream_torch.weights.discovery import ModelFiles
from tests.cli.cli_helpers import run, write_picture
from tests.cli.test_cli_layers_table import rows
from tests.net.test_partial_conversion import NET

ZOO = Path(__file__).parents[1] / "data" / "zoo"
PARTIAL = NET  # conv1, an in-place Swish (a fork's type), conv2 behind it, and a side branch that converts


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


def test_a_train_val_only_model_dreams_a_picture_and_says_how_it_was_read(workdir: Path):
    folder = workdir / "models" / "squeezenet"
    folder.mkdir(parents=True)
    shutil.copy(ZOO / "squeezenet_v1.1_train_val.prototxt", folder / "train_val.prototxt")
    write_random_caffemodel(ZOO / "squeezenet_v1.1_deploy.prototxt", folder / "squeezenet.caffemodel", seed=3)
    picture = write_picture(workdir / "data" / "p.jpg", 64, 48)
    result = run("-sp", str(picture), "-p", "models/squeezenet", "-l", "fire3/concat", "-itr", "1", "-oct", "2")
    assert result.exit_code == 0, result.output
    assert "note: train/test net: TEST phase" in " ".join(result.output.split())


def test_dreaming_a_blob_behind_an_unconverted_layer_is_one_line(workdir: Path):
    folder = workdir / "models" / "partial"
    folder.mkdir(parents=True)
    (folder / "deploy.prototxt").write_text(PARTIAL)
    write_random_caffemodel(folder / "deploy.prototxt", folder / "partial.caffemodel")
    picture = write_picture(workdir / "data" / "p.jpg", 64, 48)
    ok = run("-sp", str(picture), "-p", "models/partial", "-l", "side", "-itr", "1", "-oct", "2")
    assert ok.exit_code == 0, ok.output
    assert "note: 4 layers not converted" in " ".join(ok.output.split())
    behind = run("-sp", str(picture), "-p", "models/partial", "-l", "conv2", "-itr", "1")
    assert behind.exit_code == 2
    lines = [line for line in behind.output.splitlines() if "conv2" in line]
    assert len(lines) == 1 and "layer 'swish1' of type 'Swish'" in lines[0], behind.output
