"""The channel sheet: a layer's first channels, each dreamed alone on the current picture, made once and cached;
and the Channels field that a job turns into ``--channels``."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from deepdream_torch.studio.job_spec import JobSpec
from tests.studio.conftest import post

LAYER = "inception_4d/output"
CHANNELS = 6  # every conv of tests/cli/cli_helpers.tiny_prototxt has num_output 6


def picture(client, name: str) -> np.ndarray:
    answer = client.get("/api/file", params={"name": name})
    assert answer.status_code == 200
    return np.asarray(Image.open(io.BytesIO(answer.content)).convert("RGB")).astype(int)


def test_the_sheet_is_one_cell_per_channel_made_once_then_cached(client, data: Path) -> None:
    query = {"model": "tiny.caffemodel", "source": "single_pictures/p.jpg", "layer": LAYER, "count": 4}
    first = client.get("/api/channel_sheet", params=query)
    assert first.status_code == 200, first.text
    sheet = first.json()
    assert sheet["channels"] == CHANNELS
    assert [cell["channel"] for cell in sheet["cells"]] == [0, 1, 2, 3]
    cells = [picture(client, cell["image"]) for cell in sheet["cells"]]
    original = np.asarray(Image.open(data / "single_pictures" / "p.jpg").convert("RGB")).astype(int)
    assert all(cell.shape == original.shape for cell in cells)  # 64x48 fits the cell side: not scaled
    assert all(np.abs(cell - original).mean() > 1 for cell in cells)  # dreamed, not copied
    assert np.abs(cells[0] - cells[1]).mean() > 1  # each channel grows its own look
    assert picture(client, sheet["sheet"]).shape[0] > original.shape[0]  # the contact sheet of the cells

    made = sorted(p for p in (data / ".studio" / "channel_sheets").rglob("channel_*.jpg"))
    assert len(made) == 4
    stamps = [p.stat().st_mtime_ns for p in made]
    again = client.get("/api/channel_sheet", params=query)
    assert again.json() == sheet
    assert [p.stat().st_mtime_ns for p in made] == stamps  # read from the cache, not dreamed again

    rest = client.get("/api/channel_sheet", params={**query, "start": 4, "count": 8}).json()
    assert [cell["channel"] for cell in rest["cells"]] == [4, 5]  # stops at the blob's last channel
    assert len(list((data / ".studio" / "channel_sheets").rglob("channel_*.jpg"))) == CHANNELS


def test_an_unknown_layer_or_a_channel_out_of_range_is_refused_in_one_line(client, data: Path) -> None:
    base = {"model": "tiny.caffemodel", "source": "single_pictures/p.jpg"}
    unknown = client.get("/api/channel_sheet", params={**base, "layer": "no_such_blob"})
    assert unknown.status_code == 400
    assert list(unknown.json()) == ["error"] and "no_such_blob" in unknown.json()["error"]
    assert "\n" not in unknown.json()["error"]
    past = client.get("/api/channel_sheet", params={**base, "layer": LAYER, "start": CHANNELS})
    assert past.status_code == 400 and f"{CHANNELS} channels" in past.json()["error"]
    data_blob = client.get("/api/channel_sheet", params={**base, "layer": "data"})
    assert data_blob.status_code == 400 and "cannot be dreamed" in data_blob.json()["error"]
    outside = client.get("/api/channel_sheet", params={**base, "source": "../secret.jpg", "layer": LAYER})
    assert outside.status_code == 404 and "outside the data folder" in outside.json()["error"]
    assert not (data / ".studio" / "channel_sheets").exists() or not any(
        (data / ".studio" / "channel_sheets").rglob("*.jpg"))


def test_the_channels_field_becomes_the_clis_channels_flag(data: Path) -> None:
    body = {"kind": "picture", "source": "single_pictures/p.jpg", "model": "tiny.caffemodel",
            "layers": [LAYER], "channels": "1, 3-4"}
    spec = JobSpec.from_json(data, body, {"tiny.caffemodel": None})
    argv = spec.argv()
    assert argv[argv.index("--channels") + 1] == "1,3-4"
    assert "--channels" not in JobSpec.from_json(data, {**body, "channels": ""}, {"tiny.caffemodel": None}).argv()


def test_a_malformed_channels_field_is_refused_in_one_line(client) -> None:
    body = {"kind": "picture", "source": "single_pictures/p.jpg", "model": "tiny.caffemodel", "channels": "4-1"}
    answer = post(client, "/api/jobs", body)
    assert answer.status_code == 400 and "backwards" in answer.json()["error"]
    preview = post(client, "/api/preview", {"model": "tiny.caffemodel", "source": "single_pictures/p.jpg",
                                            "layers": [LAYER], "channels": f"{CHANNELS}", "iterations": 1})
    assert preview.status_code == 400 and f"{CHANNELS}" in preview.json()["error"]


def test_a_picture_job_with_channels_runs_the_clis_channels(data: Path) -> None:
    from tests.studio.conftest import TOKEN, make_client
    from tests.studio.test_jobs import job_of, wait_for

    with make_client(data) as running:
        running.get(f"/?token={TOKEN}")
        body = {"kind": "picture", "source": "single_pictures/p.jpg", "model": "tiny.caffemodel",
                "layers": [LAYER], "channels": "2", "octaves": 1, "iterations": 2}
        job = post(running, "/api/jobs", body).json()["job"]
        assert "--channels 2" in job["command"]
        done = wait_for(lambda: job_of(running, job["id"])["state"] in ("done", "failed") and job_of(running, job["id"]),
                        what="the job")
        assert done["state"] == "done", done["message"]
        # The CLI names a channels dream after its channels (cli/single.py: ch-<channels>).
        assert [p.name for p in (data / "single_pictures" / "p").glob("dream_p_*ch-2*")]
