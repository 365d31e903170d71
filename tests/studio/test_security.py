"""Every refusal of the studio's gate and file routes, as an attacker's request would meet it."""

from __future__ import annotations

import os
from pathlib import Path

from tests.studio.conftest import BASE, TOKEN, make_client, post


def test_the_printed_address_sets_an_httponly_strict_cookie(data: Path) -> None:
    with make_client(data, run_jobs=False) as client:
        answer = client.get(f"/?token={TOKEN}")
        assert answer.status_code == 200 and "deepdream studio" in answer.text
        cookie = answer.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert client.get("/api/library").status_code == 200  # the cookie alone now


def test_a_missing_or_wrong_token_is_refused(data: Path) -> None:
    with make_client(data, run_jobs=False) as client:
        for path in ("/", "/api/library", "/static/app.js", "/?token=wrong", "/api/file?name=videos/clip.mp4"):
            answer = client.get(path)
            assert answer.status_code == 403, path
            assert "token" in answer.json()["error"]
        client.cookies.set("deepdream_studio", "forged")
        assert client.get("/api/library").status_code == 403


def test_a_foreign_host_is_refused_even_with_the_token(client) -> None:
    for host in ("evil.example", "evil.example:8765", "127.0.0.1.evil.example", "localhost.evil:8765"):
        answer = client.get(f"/api/library?token={TOKEN}", headers={"Host": host})
        assert answer.status_code == 403, host
        assert "DNS rebinding" in answer.json()["error"]
    assert client.get("/api/library", headers={"Host": "localhost:8765"}).status_code == 200


def test_cross_site_and_null_origin_posts_are_refused(client, data: Path) -> None:
    spec = {"kind": "video", "source": "videos/clip.mp4", "model": "tiny.caffemodel"}
    for origin in ("null", "http://evil.example", "http://evil.example:8765", "https://127.0.0.1.evil.example"):
        answer = client.post("/api/jobs", json=spec, headers={"X-Studio": "1", "Origin": origin})
        assert answer.status_code == 403, origin
    # A form post from another page cannot set the custom header: refused before anything is read.
    form = client.post("/api/jobs", data={"kind": "video"}, headers={"Origin": BASE})
    assert form.status_code == 403 and "X-Studio" in form.json()["error"]
    fetch = client.post("/api/jobs", json=spec, headers={"X-Studio": "1", "Sec-Fetch-Site": "cross-site"})
    assert fetch.status_code == 403
    assert not (data / ".studio" / "jobs.json").exists() or "clip" not in (data / ".studio" / "jobs.json").read_text()
    plain = client.post("/api/jobs", content="kind=video", headers={"X-Studio": "1", "Content-Type": "text/plain"})
    assert plain.status_code == 415


def test_path_traversal_is_refused_encoded_doubled_and_through_a_symlink(client, data: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    os.symlink(secret, data / "single_pictures" / "link.jpg")
    os.symlink(tmp_path, data / "videos" / "up")
    names = ["../secret.txt", "..%2Fsecret.txt", "%2E%2E/secret.txt", "....//secret.txt", "videos/../../secret.txt",
             "videos/..%2F..%2Fsecret.txt", "%252E%252E%252Fsecret.txt", "single_pictures/link.jpg", "videos/up/secret.txt",
             str(secret), "//" + str(secret), "videos\\..\\..\\secret.txt"]
    for name in names:
        for route in ("/api/file?name=", "/api/thumb?name=", "/api/dreams?source="):
            answer = client.get(route + name)
            assert answer.status_code in (403, 404), (route, name, answer.status_code)
            assert "do not serve" not in answer.text
    # The path part of the URL too: nothing outside the static folder is served.
    for path in ("/static/../../../secret.txt", "/static/..%2F..%2Fapp.py", "/static/%2e%2e/app.py"):
        answer = client.get(path)
        assert answer.status_code == 404 and "do not serve" not in answer.text and "def create_app" not in answer.text
    assert post(client, "/api/delete", {"name": "../secret.txt"}).status_code in (403, 404)
    assert post(client, "/api/delete", {"name": "single_pictures/link.jpg"}).status_code in (403, 404)
    assert secret.read_text() == "do not serve"


def test_errors_are_one_line_never_a_trace(client) -> None:
    answer = post(client, "/api/jobs", {"kind": "video", "source": "videos/nope.mp4", "model": "tiny.caffemodel"})
    assert answer.status_code == 400
    assert answer.json() == {"error": "videos/nope.mp4 is not a video in the data folder"}
    broken = client.post("/api/jobs", content="{not json", headers={"X-Studio": "1", "Content-Type": "application/json"})
    assert broken.status_code == 400 and "\n" not in broken.json()["error"] and "Traceback" not in broken.text
