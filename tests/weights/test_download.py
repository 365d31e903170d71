import hashlib
from pathlib import Path

import pytest

from deepdream_torch.weights.download import NetworkUnreachable, download, part_path
from deepdream_torch.weights.errors import ZooError
from tests.weights.conftest import closed_loopback_url
from tests.weights.loopback import LoopbackServer

PAYLOAD = bytes(range(256)) * 1200  # 307,200 bytes: several read chunks


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def test_full_download_with_progress(server: LoopbackServer, tmp_path: Path) -> None:
    server.served.files["/m/w.caffemodel"] = PAYLOAD
    seen: list[tuple[str, int, int | None]] = []
    dest = tmp_path / "w.caffemodel"
    result = download(
        f"{server.url}/m/w.caffemodel",
        dest,
        sha1=sha1(PAYLOAD),
        progress=lambda *a: seen.append(a),
        label="w",
    )
    assert dest.read_bytes() == PAYLOAD and result == sha1(PAYLOAD)
    assert not part_path(dest).exists()
    assert seen[0] == ("w", 0, len(PAYLOAD)) and seen[-1] == ("w", len(PAYLOAD), len(PAYLOAD))
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


def test_a_partial_download_is_resumed_asking_only_for_the_missing_bytes(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.served.files["/w"] = PAYLOAD
    dest = tmp_path / "w.caffemodel"
    part_path(dest).write_bytes(PAYLOAD[:100_000])
    download(f"{server.url}/w", dest, sha1=sha1(PAYLOAD))
    assert dest.read_bytes() == PAYLOAD
    assert server.served.requests == [("/w", "bytes=100000-")]
    assert server.served.body_bytes_sent["/w"] == len(PAYLOAD) - 100_000


def test_a_server_ignoring_range_restarts_cleanly(server: LoopbackServer, tmp_path: Path) -> None:
    server.served.files["/w"] = PAYLOAD
    server.served.honour_range = False
    dest = tmp_path / "w"
    part_path(dest).write_bytes(b"stale bytes that must not stay at the front")
    download(f"{server.url}/w", dest, sha1=sha1(PAYLOAD))
    assert dest.read_bytes() == PAYLOAD


def test_a_dropped_connection_is_resumed_where_it_stopped(server: LoopbackServer, tmp_path: Path) -> None:
    served = server.served
    served.files["/w"] = PAYLOAD
    served.drop_after["/w"], served.drops_left["/w"] = 70_000, 1
    dest = tmp_path / "w"
    download(f"{server.url}/w", dest, sha1=sha1(PAYLOAD))
    assert dest.read_bytes() == PAYLOAD
    assert served.requests == [("/w", None), ("/w", "bytes=70000-")]
    assert served.body_bytes_sent["/w"] == len(PAYLOAD)


def test_a_connection_that_keeps_dropping_leaves_only_a_part_file(
    server: LoopbackServer, tmp_path: Path
) -> None:
    served = server.served
    served.files["/w"] = PAYLOAD
    served.drop_after["/w"], served.drops_left["/w"] = 10_000, 99
    dest = tmp_path / "w"
    with pytest.raises(ZooError, match="run again to resume") as raised:
        download(f"{server.url}/w", dest, attempts=3)
    assert "30000 bytes are kept" in str(raised.value)
    assert not dest.exists()
    assert part_path(dest).read_bytes() == PAYLOAD[:30_000]
    # Running again (the server recovered) resumes from there.
    served.drops_left["/w"] = 0
    download(f"{server.url}/w", dest, sha1=sha1(PAYLOAD))
    assert dest.read_bytes() == PAYLOAD and served.requests[-1] == ("/w", "bytes=30000-")


def test_a_wrong_checksum_deletes_the_download_and_says_so(server: LoopbackServer, tmp_path: Path) -> None:
    server.served.files["/w"] = PAYLOAD
    dest = tmp_path / "w.caffemodel"
    with pytest.raises(ZooError) as raised:
        download(f"{server.url}/w", dest, sha1="0" * 40)
    message = str(raised.value)
    assert f"has sha1 {sha1(PAYLOAD)} but {'0' * 40} was expected" in message
    assert "deleted" in message and "\n" not in message
    assert not dest.exists() and not part_path(dest).exists()


def test_a_complete_part_file_is_not_downloaded_again(server: LoopbackServer, tmp_path: Path) -> None:
    server.served.files["/w"] = PAYLOAD
    dest = tmp_path / "w"
    part_path(dest).write_bytes(PAYLOAD)
    download(f"{server.url}/w", dest, sha1=sha1(PAYLOAD))
    assert dest.read_bytes() == PAYLOAD
    assert server.served.body_bytes_sent.get("/w", 0) == 0


def test_missing_files_and_unreachable_servers_are_told_apart(server: LoopbackServer, tmp_path: Path) -> None:
    with pytest.raises(ZooError, match="answered HTTP 404") as raised:
        download(f"{server.url}/nothing", tmp_path / "x")
    assert not isinstance(raised.value, NetworkUnreachable)
    with pytest.raises(NetworkUnreachable, match="cannot reach 127.0.0.1"):
        download(f"{closed_loopback_url()}/x", tmp_path / "x")


def test_only_http_addresses_are_fetched(tmp_path: Path) -> None:
    with pytest.raises(ZooError, match="only http"):
        download(f"file://{tmp_path}/x", tmp_path / "y")
