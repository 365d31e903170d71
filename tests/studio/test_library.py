"""The library: sources listed from the CLI's folders, thumbnails made once, uploads checked by their content."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from tests.studio.conftest import BASE, make_client, post

UPLOAD = {"X-Studio": "1", "Origin": BASE, "Content-Type": "application/octet-stream"}


def _jpeg(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full((height, width, 3), 120, np.uint8)).save(out, "JPEG")
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` with a tiny compressed body: a decompression bomb's shape."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _leftovers(data: Path) -> list[Path]:
    return [p for p in (data / ".studio" / "uploads").glob("*")] if (data / ".studio" / "uploads").is_dir() else []


def test_the_library_lists_pictures_and_videos_with_cached_thumbnails(client, data: Path) -> None:
    sources = client.get("/api/library").json()["sources"]
    assert [(s["name"], s["kind"]) for s in sources] == [("single_pictures/p.jpg", "picture"), ("videos/clip.mp4", "video")]
    for source in sources:
        thumb = client.get("/api/thumb", params={"name": source["name"]})
        assert thumb.status_code == 200
        image = Image.open(io.BytesIO(thumb.content))
        assert image.format == "JPEG" and max(image.size) <= 160
    made = sorted((data / ".studio" / "thumbs").iterdir())
    assert len(made) == 2
    stamps = [p.stat().st_mtime_ns for p in made]
    client.get("/api/thumb", params={"name": "videos/clip.mp4"})
    assert [p.stat().st_mtime_ns for p in sorted((data / ".studio" / "thumbs").iterdir())] == stamps  # made once


def test_an_upload_becomes_a_source_by_its_content_not_its_name(client, data: Path) -> None:
    answer = client.post("/api/upload", params={"filename": "../../holiday.png"}, content=_jpeg(), headers=UPLOAD)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"name": "single_pictures/holiday.jpg"}  # a JPEG, whatever the name said
    assert Image.open(data / "single_pictures" / "holiday.jpg").size == (40, 30)
    again = client.post("/api/upload", params={"filename": "holiday.jpg"}, content=_jpeg(), headers=UPLOAD)
    assert again.json() == {"name": "single_pictures/holiday_2.jpg"}  # never replaces a file
    video = client.post("/api/upload", params={"filename": "clip.txt"},
                        content=(data / "videos" / "clip.mp4").read_bytes(), headers=UPLOAD)
    assert video.json() == {"name": "videos/clip_2.mp4"}
    assert _leftovers(data) == []


def test_a_fake_upload_is_refused_and_leaves_nothing(client, data: Path) -> None:
    before = sorted(p for p in data.rglob("*") if ".studio" not in p.parts)
    for body in (b"#!/bin/sh\nrm -rf /\n", b"\x89PNG\r\n\x1a\n garbage", _jpeg()[:200], b"\x80\x04\x95 pickle"):
        answer = client.post("/api/upload", params={"filename": "evil.jpg"}, content=body, headers=UPLOAD)
        assert answer.status_code == 400, answer.text
        assert "neither a picture" in answer.json()["error"]
    assert sorted(p for p in data.rglob("*") if ".studio" not in p.parts) == before
    assert _leftovers(data) == []


def test_oversized_uploads_are_refused_bytes_and_pixels(data: Path) -> None:
    with make_client(data, run_jobs=False, max_upload_bytes=10_000, max_upload_pixels=1_000_000) as client:
        client.get("/?token=test-token-0123456789")
        big = client.post("/api/upload", params={"filename": "big.jpg"}, content=b"\xff" * 20_000, headers=UPLOAD)
        assert big.status_code == 413 and "larger than" in big.json()["error"]
        bomb = client.post("/api/upload", params={"filename": "bomb.png"}, content=_png_header_only(50_000, 50_000),
                           headers=UPLOAD)
        assert bomb.status_code == 413 and "not decoded" in bomb.json()["error"]
        assert _leftovers(data) == []
        assert not (data / "single_pictures" / "big.jpg").exists() and not (data / "single_pictures" / "bomb.png").exists()


def test_an_upload_needs_the_page_header(client) -> None:
    answer = client.post("/api/upload", params={"filename": "x.jpg"}, content=_jpeg(),
                         headers={"Content-Type": "application/octet-stream"})
    assert answer.status_code == 403


def test_post_helper_is_the_pages_request(client) -> None:
    assert post(client, "/api/jobs/cancel_waiting").json() == {"cancelled": 0}
