"""Kill the studio's server (SIGKILL) in the middle of a video job: the run stops cleanly (its child is told as by
Ctrl-C), no frame is lost or corrupt, and the restarted server shows the job stopped where it was and resumes it."""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.cli_helpers import decoded_frames
from tests.studio.browser import studio_server
from tests.video.video_clips import write_clip

pytestmark = pytest.mark.slow
FRAMES = 30


def call(address: str, path: str, body: object | None = None) -> dict:
    base, token = address.split("/?token=")
    request = urllib.request.Request(f"{base}{path}{'&' if '?' in path else '?'}token={token}")
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
        request.add_header("X-Studio", "1")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def wait_for(check, seconds: float = 120) -> object:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if value := check():
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_killed_server_loses_no_frame_and_the_job_resumes(data: Path) -> None:
    write_clip(data / "videos" / "walk.mp4", frames=FRAMES, width=96, height=64)
    spec = {"kind": "video", "source": "videos/walk.mp4", "model": "tiny.caffemodel",
            "layers": ["inception_4c/output"], "octaves": 2, "iterations": 8}
    folder = data / "output_frames" / "walk"
    with studio_server(data) as (address, server):
        job = call(address, "/api/jobs", spec)["job"]
        wait_for(lambda: call(address, "/api/jobs")["jobs"][0]["done"] >= 3)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
    # The run's child was told to stop (as Ctrl-C) when its server died: it finishes its frame and lets go.
    wait_for(lambda: not list((data / "output_frames").glob(".*.lock")), seconds=60)
    kept = sorted(folder.glob("dream_frame_*.jpg"))
    assert 3 <= len(kept) < FRAMES
    assert [p.name for p in kept] == [f"dream_frame_{n:08d}.jpg" for n in range(1, len(kept) + 1)]
    for path in kept:
        with Image.open(path) as image:
            image.load()  # whole, not truncated
    before = {p.name: p.read_bytes() for p in kept}

    with studio_server(data) as (address, _):
        (stopped,) = call(address, "/api/jobs")["jobs"]
        assert stopped["id"] == job["id"] and stopped["state"] == "stopped"
        assert stopped["done"] >= 3 and "resume" in stopped["message"]
        call(address, f"/api/jobs/{job['id']}/resume", {})
        done = wait_for(lambda: (j := call(address, "/api/jobs")["jobs"][0])["state"] in ("done", "failed") and j,
                        seconds=300)
        assert done["state"] == "done", done["message"]
    assert {p.name: p.read_bytes() for p in kept} == before  # the frames dreamed before the kill were kept
    assert len(list(folder.glob("dream_frame_*.jpg"))) == FRAMES
    (video,) = (data / "dream_video").glob("walk-DeepDream__*.mp4")
    assert len(decoded_frames(video)) == FRAMES
