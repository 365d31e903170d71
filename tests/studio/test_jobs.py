"""Jobs: the CLI's own run in a child process, one at a time, kept on disk, cancelled resumably, deduplicated."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from deepdream_torch.studio.jobs import Queue
from deepdream_torch.studio.workdir import workdir_for
from tests.cli.cli_helpers import decoded_frames
from tests.studio.conftest import TOKEN, make_client, post
from tests.video.video_clips import write_clip

SPEC = {"kind": "video", "source": "videos/clip.mp4", "model": "tiny.caffemodel", "layers": ["inception_4c/output"],
        "octaves": 2, "iterations": 2}


def wait_for(check: Callable[[], object], seconds: float = 90, what: str = "") -> object:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def job_of(client, job_id: str) -> dict:
    return next(job for job in client.get("/api/jobs").json()["jobs"] if job["id"] == job_id)


@pytest.fixture
def running(data: Path):
    with make_client(data) as client:
        client.get(f"/?token={TOKEN}")
        yield client


def test_a_video_job_runs_the_cli_and_its_dream_is_listed(running, data: Path) -> None:
    answer = post(running, "/api/jobs", SPEC).json()
    job = answer["job"]
    assert answer["new"] and job["state"] in ("queued", "running")
    assert job["command"] == (f"cd {data.parent} && deepdream -e data/videos/clip.mp4 -p {data.parent}/models/tiny"
                              " -m tiny.caffemodel -l inception_4c/output -oct 2 -itr 2")
    done = wait_for(lambda: job_of(running, job["id"])["state"] in ("done", "failed") and job_of(running, job["id"]),
                    what="the job")
    assert done["state"] == "done", done["message"]
    assert done["done"] == done["total"] == 8
    frames = sorted((data / "output_frames" / "clip").glob("dream_frame_*.jpg"))
    assert len(frames) == 8
    dreams = running.get("/api/dreams", params={"source": "videos/clip.mp4"}).json()["dreams"]
    assert len(dreams) == 1 and dreams[0]["frames"] == 8 and dreams[0]["complete"] is True
    assert dreams[0]["settings"]["iterations"] == 2
    video = running.get("/api/file", params={"name": dreams[0]["video"]}, headers={"Range": "bytes=0-99"})
    assert video.status_code == 206 and len(video.content) == 100  # seekable: ranges are served
    assert len(decoded_frames(data / dreams[0]["video"])) == 8


def test_the_same_run_asked_twice_is_one_job(running) -> None:
    first = post(running, "/api/jobs", SPEC).json()
    second = post(running, "/api/jobs", SPEC).json()
    assert first["new"] and not second["new"] and second["job"]["id"] == first["job"]["id"]
    wait_for(lambda: job_of(running, first["job"]["id"])["state"] == "done", what="the job")


def test_cancelling_waiting_jobs_never_touches_the_running_one(data: Path) -> None:
    write_clip(data / "videos" / "long.mp4", frames=60, width=96, height=64)
    with make_client(data) as client:
        client.get(f"/?token={TOKEN}")
        long = post(client, "/api/jobs", {**SPEC, "source": "videos/long.mp4", "iterations": 6}).json()["job"]
        waiting = [post(client, "/api/jobs", {**SPEC, "octaves": octaves}).json()["job"] for octaves in (1, 3, 4)]
        wait_for(lambda: job_of(client, long["id"])["done"] >= 1, what="the first frame")
        assert post(client, f"/api/jobs/{waiting[0]['id']}/cancel").json()["job"]["state"] == "cancelled"
        assert post(client, "/api/jobs/cancel_waiting").json() == {"cancelled": 2}
        assert job_of(client, long["id"])["state"] == "running"
        done_before = job_of(client, long["id"])["done"]
        wait_for(lambda: job_of(client, long["id"])["done"] > done_before, what="more frames")
        post(client, f"/api/jobs/{long['id']}/cancel")
        stopped = wait_for(lambda: job_of(client, long["id"])["state"] != "running" and job_of(client, long["id"]),
                           what="the stop")
        assert stopped["state"] == "stopped" and "resume" in stopped["message"]
        kept = len(list((data / "output_frames" / "long").glob("dream_frame_*.jpg")))
        assert 0 < kept < 60 and stopped["done"] == kept
        assert [job_of(client, j["id"])["state"] for j in waiting] == ["cancelled"] * 3
        assert not (data / "output_frames" / "clip").exists()  # none of the waiting ones ever ran
        # Resume: the CLI continues after the last finished frame and the video has every frame once.
        assert post(client, f"/api/jobs/{long['id']}/resume").json()["job"]["state"] == "queued"
        done = wait_for(lambda: job_of(client, long["id"])["state"] in ("done", "failed") and job_of(client, long["id"]),
                        seconds=300, what="the resumed job")
        assert done["state"] == "done", done["message"]
        video = next((data / "dream_video").glob("long-DeepDream__*.mp4"))
        assert len(decoded_frames(video)) == 60


def test_a_running_job_comes_back_stopped_after_a_restart_and_never_starts_itself(data: Path) -> None:
    queue = Queue(data, workdir_for(data), lambda: None)
    from deepdream_torch.studio.job_spec import JobSpec
    from deepdream_torch.studio.models import model_folders

    job, _ = queue.add(JobSpec.from_json(data, SPEC, model_folders()))
    with queue.lock:
        job.state, job.done, job.total = "running", 3, 8
        queue._changed()  # as written while it ran
    again = Queue(data, workdir_for(data), lambda: None)
    assert [(j.id, j.state, j.done) for j in again.jobs] == [(job.id, "stopped", 3)]
    assert "stopped at frame 3" in again.jobs[0].message
    recorded = json.loads((data / ".studio" / "jobs.json").read_text())
    assert recorded[0]["argv"] == job.argv  # the settings were on disk before anything rendered


def test_a_job_the_cli_refuses_fails_with_its_one_line(running) -> None:
    job = post(running, "/api/jobs", {**SPEC, "layers": ["no_such_blob"]}).json()["job"]
    failed = wait_for(lambda: job_of(running, job["id"])["state"] in ("done", "failed") and job_of(running, job["id"]),
                      what="the failure")
    assert failed["state"] == "failed"
    assert "no_such_blob" in failed["message"] and "Traceback" not in failed["message"]


def test_picture_and_zoom_jobs_count_what_their_runs_report(running, data: Path) -> None:
    layers = ["inception_4c/output", "inception_4d/output"]
    spec = {"kind": "picture", "source": "single_pictures/p.jpg", "model": "tiny.caffemodel", "layers": layers,
            "octaves": 1, "iterations": 2}
    picture = post(running, "/api/jobs", spec).json()["job"]
    zoom = post(running, "/api/jobs", {**spec, "kind": "zoom", "layers": layers[:1], "zoom_frames": 3}).json()["job"]
    ended = [wait_for(lambda j=j: job_of(running, j["id"])["state"] in ("done", "failed") and job_of(running, j["id"]),
                      what=f"the {j['spec']['kind']} job") for j in (picture, zoom)]
    for job in ended:
        assert job["state"] == "done", job["message"]
    # One picture per layer, the last of them shown; the zoom's frames counted from its run's own events.
    written = sorted((data / "single_pictures" / "p").glob("dream_p_L-*"))
    assert ended[0]["done"] == ended[0]["total"] == len(layers) == len([p for p in written if p.is_file()])
    assert ended[0]["last_frame"] is not None and (data / ended[0]["last_frame"]).is_file()
    zoomed = sorted((data / "single_pictures" / "p").rglob("dream_frame_*.jpg"))
    assert ended[1]["done"] == ended[1]["total"] == 3 == len(zoomed)
    assert ended[1]["last_frame"] == zoomed[-1].relative_to(data).as_posix()
