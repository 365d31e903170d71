"""Mode 4's menu and ``deepdream zoo list|get`` against a loopback web server standing in for the zoo."""

from __future__ import annotations

import re
from pathlib import Path

from deepdream_torch.weights.checksum import file_sha1, read_sidecar
from tests.cli.cli_helpers import one_line_error, run, serve_gist_model

CARS = "googlenet_finetune_web_car_iter_10000"
LAYERS = [("conv1", "conv"), ("inception_4c_output", "conv")]


def test_zoo_get_downloads_checks_converts_and_lists(mirror: Path) -> None:
    serve_gist_model(mirror, CARS, LAYERS)
    result = run("zoo", "get", CARS)
    assert result.exit_code == 0, result.output
    caffemodel = Path("models") / CARS / f"{CARS}.caffemodel"
    assert file_sha1(caffemodel) == file_sha1(mirror / CARS / caffemodel.name)  # the served file, whole
    assert read_sidecar(caffemodel) == file_sha1(caffemodel)
    (converted,) = Path("home/converted").glob("*.safetensors")
    assert converted.stem == file_sha1(caffemodel)
    # dreamable, the manifest's pick and so the default
    assert re.search(r"inception_4c_output\s+│\s+6×48×64\s+│\s+yes\s+│\s+default, zoo", result.stdout)
    assert f"dream with: deepdream -m {CARS}.caffemodel -l inception_4c_output" in result.stdout

    again = run("zoo", "get", CARS, "-v", "2")  # already there: nothing fetched, the cache is reused
    assert again.exit_code == 0 and "(cached)" in again.stderr


def test_a_download_with_the_wrong_sha1_is_refused_in_one_line(mirror: Path) -> None:
    serve_gist_model(mirror, CARS, LAYERS, sha1="0" * 40)
    line = one_line_error(run("zoo", "get", CARS))
    assert "sha1" in line and "0" * 40 in line
    assert not (Path("models") / CARS / f"{CARS}.caffemodel").exists()


def test_mode_4_menu_asks_again_after_a_wrong_answer_and_q_quits(mirror: Path) -> None:
    result = run("--mode", "4", input="99\nabc\nq\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Wrong input!") == 2
    assert result.output.count("Enter the number of model (or press q to quit)") == 3
    assert not Path("models").exists()  # nothing was downloaded


def test_mode_4_downloads_the_model_picked_by_number(mirror: Path) -> None:
    serve_gist_model(mirror, CARS, LAYERS)
    result = run("--mode", "4", input="x\n22\n")
    assert result.exit_code == 0, result.output
    assert "Wrong input!" in result.output
    assert (Path("models") / CARS / f"{CARS}.caffemodel").is_file()


def test_zoo_list_marks_downloaded_models(mirror: Path) -> None:
    serve_gist_model(mirror, CARS, LAYERS)
    assert run("zoo", "get", CARS).exit_code == 0
    listing = run("zoo", "list")
    assert listing.exit_code == 0
    rows = {line.split("│")[1].strip(): line for line in listing.stdout.splitlines() if line.count("│") >= 4}
    assert "bvlc_googlenet" in rows and "VGG_ILSVRC_19_layers" in rows
    assert "✓" in rows[CARS] and "✓" not in rows["bvlc_googlenet"]
