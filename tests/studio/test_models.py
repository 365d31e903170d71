"""Models, layers and small dreams: mode 5's table, zoo downloads with the sha1 check, previews and layer looks."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
from PIL import Image

from deepdream_torch.weights.checksum import file_sha1
from tests.cli.cli_helpers import GOOGLENET_LIKE, run, serve_gist_model
from tests.studio.conftest import post

CARS = "googlenet_finetune_web_car_iter_10000"


def test_layers_are_mode_5s_table(client, tmp_path: Path) -> None:
    answer = client.get("/api/layers", params={"model": "tiny.caffemodel"}).json()
    rows = answer["layers"]
    # The prototxt's blobs, in order: its input, then its layers' (tests/cli/cli_helpers.tiny_prototxt), as
    # `deepdream layers` prints them.
    blobs = [row["blob"] for row in rows]
    assert blobs[0] == "data"
    assert [blob for blob in blobs if blob in dict(GOOGLENET_LIKE)] == [name for name, _ in GOOGLENET_LIKE]
    printed = run("layers", "-p", str(tmp_path / "models" / "tiny"), "-m", "tiny.caffemodel").stdout
    assert all(blob in printed for blob in blobs)
    assert rows[1]["shape"] == "6×48×64" and rows[1]["dreamable"] == "yes" and rows[0]["dreamable"] == "no (input)"
    assert answer["default"] == "inception_4c/output"  # GoogLeNet's customloop starts there
    missing = client.get("/api/layers", params={"model": "nope.caffemodel"})
    assert missing.status_code == 404 and "zoo" in missing.json()["error"]


def test_a_preview_is_small_and_differs_from_the_picture(client, data: Path) -> None:
    started = time.perf_counter()
    answer = post(client, "/api/preview", {"model": "tiny.caffemodel", "source": "single_pictures/p.jpg",
                                           "octaves": 2, "iterations": 3, "layers": ["inception_4d/output"]})
    assert answer.status_code == 200, answer.text
    value = answer.json()
    assert value["layer"] == "inception_4d/output" and value["size"] == [64, 48]
    before = np.asarray(Image.open(io.BytesIO(client.get("/api/file", params={"name": value["before"]}).content)))
    after = np.asarray(Image.open(io.BytesIO(client.get("/api/file", params={"name": value["after"]}).content)))
    assert before.shape == after.shape == (48, 64, 3)
    assert np.abs(before.astype(int) - after.astype(int)).mean() > 1  # dreamed, not copied
    assert time.perf_counter() - started < 60
    wrong = post(client, "/api/preview", {"model": "tiny.caffemodel", "source": "single_pictures/p.jpg",
                                          "layers": ["no_such_blob"]})
    assert wrong.status_code == 400 and "no_such_blob" in wrong.json()["error"]


def test_a_layer_look_is_made_once_and_cached(client, data: Path) -> None:
    query = {"model": "tiny.caffemodel", "source": "videos/clip.mp4", "layer": "inception_5a/output"}
    first = client.get("/api/layer_look", params=query)
    assert first.status_code == 200 and Image.open(io.BytesIO(first.content)).format == "JPEG"
    (look,) = (data / ".studio" / "layer_looks").iterdir()
    stamp = look.stat().st_mtime_ns
    assert client.get("/api/layer_look", params=query).content == first.content
    assert look.stat().st_mtime_ns == stamp


def test_a_zoo_model_downloads_with_progress_and_its_sha1_checked(client, mirror: Path, tmp_path: Path) -> None:
    serve_gist_model(mirror, CARS, [("conv1", "conv"), ("inception_4c_output", "conv")])
    assert post(client, "/api/zoo/get", {"name": CARS}).json()["state"] == "downloading"
    deadline = time.monotonic() + 60
    while (state := client.get("/api/models").json()["downloads"][CARS])["state"] == "downloading":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert state["state"] == "done", state["message"]
    assert state["total"] and state["done"] == state["total"]
    caffemodel = tmp_path / "models" / CARS / f"{CARS}.caffemodel"
    assert file_sha1(caffemodel) == file_sha1(mirror / CARS / caffemodel.name)
    assert f"{CARS}.caffemodel" in [m["name"] for m in client.get("/api/models").json()["local"]]


def test_a_zoo_download_with_a_wrong_sha1_fails_in_one_line(client, mirror: Path, tmp_path: Path) -> None:
    serve_gist_model(mirror, CARS, [("conv1", "conv")], sha1="0" * 40)
    post(client, "/api/zoo/get", {"name": CARS})
    deadline = time.monotonic() + 60
    while (state := client.get("/api/models").json()["downloads"][CARS])["state"] == "downloading":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert state["state"] == "failed" and "sha1" in state["message"]
    assert not (tmp_path / "models" / CARS / f"{CARS}.caffemodel").exists()


def test_a_preview_cancelled_stops_at_its_next_step(client) -> None:
    import threading

    answers: list = []
    body = {"model": "tiny.caffemodel", "source": "single_pictures/p.jpg", "octaves": 1, "iterations": 1000}
    thread = threading.Thread(target=lambda: answers.append(post(client, "/api/preview", body)))
    thread.start()
    deadline = time.monotonic() + 60
    while thread.is_alive():  # Esc again until it takes: a cancel before the dream starts (net loading) is moot
        assert time.monotonic() < deadline, "the preview was not cancelled"
        time.sleep(0.1)  # a quiet machine dreams the tiny net's 1000 steps in about a second
        assert post(client, "/api/preview/cancel").json() == {"cancelled": True}
        thread.join(timeout=0.2)
    assert answers[0].status_code == 409 and answers[0].json() == {"error": "preview cancelled"}
