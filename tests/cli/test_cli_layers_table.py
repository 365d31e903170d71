"""Mode 5's table: every column labelled, which blobs --layers takes, and the suggested ones."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from deepdream_torch.cli.layers_table import layers_table
from deepdream_torch.weights.discovery import ModelFiles
from tests.cli.cli_helpers import PLACES_LIKE, run, write_model


def rows(table) -> dict[str, dict[str, str]]:
    headers = [str(column.header) for column in table.columns]
    cells = [list(column.cells) for column in table.columns]
    return {row[1]: dict(zip(headers, row, strict=True)) for row in zip(*cells, strict=True)}


def test_every_column_has_a_label_and_fixed_size_blobs_are_marked(shared) -> None:
    files = ModelFiles(shared / "models/bvlc_alexnet/deploy.prototxt", Path("bvlc_alexnet.caffemodel"))
    table = layers_table(files)
    assert all(str(column.header).strip() for column in table.columns)
    by_blob = rows(table)
    assert by_blob["conv5"]["dreamable"] == "yes"
    assert by_blob["fc6"]["dreamable"] == "no (fixed size)"  # behind a fully connected layer
    assert by_blob["data"]["dreamable"] == "no (input)"
    # The zoo manifest suggests conv5, conv4, conv3 for AlexNet; the first is the default.
    assert by_blob["conv5"]["suggested"] == "default, zoo"
    assert by_blob["conv3"]["suggested"] == "zoo"
    assert by_blob["pool5"]["suggested"] == ""
    Console(width=100, record=True).print(table)  # renders


def test_a_folder_without_m_uses_its_only_caffemodel(workdir: Path) -> None:
    write_model(workdir / "models/places", "places205.caffemodel", PLACES_LIKE)
    result = run("--mode", "5", "-p", "models/places")
    assert result.exit_code == 0, result.output
    assert "places205: " in result.output and "conv4" in result.output
    assert "default" in result.output  # conv4: two thirds up PLACES_LIKE's convolutions


def test_zoo_get_is_suggested_only_for_zoo_names(workdir: Path) -> None:
    mine = run("--mode", "5", "-m", "my_model.caffemodel")
    assert mine.exit_code == 2 and "zoo get" not in mine.output and "not a zoo model" in mine.output
    zoo = run("--mode", "5", "-m", "bvlc_alexnet.caffemodel")
    assert zoo.exit_code == 2 and "deepdream zoo get bvlc_alexnet" in zoo.output


def test_a_caffemodel_not_there_gets_no_dream_with_hint(workdir: Path) -> None:
    write_model(workdir / "models/places", "places205.caffemodel", PLACES_LIKE)
    result = run("layers", "-p", "models/places", "-m", "other.caffemodel")
    assert result.exit_code == 0, result.output  # the table needs only the prototxt
    assert "dream with" not in result.output and "no other.caffemodel in models/places yet" in result.output
    assert "dream with: deepdream -m places205.caffemodel" in run("layers", "-p", "models/places").output


def test_the_rows_are_plain_data_the_table_is_drawn_from(shared) -> None:
    from deepdream_torch.cli.layers_table import layer_rows

    files = ModelFiles(shared / "models/bvlc_alexnet/deploy.prototxt", Path("bvlc_alexnet.caffemodel"))
    listing = layer_rows(files)
    by_blob = {row.blob: row for row in listing.rows}
    # AlexNet's published shapes at 227×227: conv1 96×55×55, conv5 256×13×13, fc6 4096.
    assert listing.input_size == "3×227×227"
    assert (by_blob["conv1"].shape, by_blob["conv5"].shape) == ("96×55×55", "256×13×13")
    assert by_blob["fc6"].shape == "4096" and by_blob["fc6"].dreamable == "no (fixed size)"
    assert (by_blob["conv5"].dreamable, by_blob["conv5"].suggested) == ("yes", "default, zoo")
    assert [row.number for row in listing.rows] == list(range(len(listing.rows)))
    drawn = rows(layers_table(files))
    assert [(str(r.number), r.shape, r.dreamable, r.suggested) for r in listing.rows] == [
        (drawn[r.blob]["#"], drawn[r.blob]["shape (C×H×W)"], drawn[r.blob]["dreamable"], drawn[r.blob]["suggested"])
        for r in listing.rows
    ]
