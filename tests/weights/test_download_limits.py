"""Hostile and broken servers on 127.0.0.1: nothing they send eats the disk or the clock, and nothing that is not
the file asked for is kept (an endless body, a slow drip, an HTML page, a lying Content-Length, a file bigger than
its kind may be, a full disk)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deepdream_torch.weights import download as download_module
from deepdream_torch.weights.content import check_prototxt, check_readme
from deepdream_torch.weights.download import NoSpace, download, part_path
from deepdream_torch.weights.errors import ZooError
from tests.faults import tiny_disk
from tests.weights.loopback import LYING_LENGTH, LoopbackServer

MIB = 1 << 20
PROTOTXT = b'name: "tiny"\ninput: "data"\ninput_shape { dim: 1 dim: 3 dim: 8 dim: 8 }\n' + b"".join(
    f'layer {{ name: "relu{i}" type: "ReLU" bottom: "data" top: "data" }}\n'.encode() for i in range(200)
)  # 11 KB that parse: a prototxt cut short does not
PORTAL = b"<!DOCTYPE html>\n<html><head><title>Sign in to the hotel Wi-Fi</title></head><body>name: x</body></html>\n"


@dataclass
class Case:
    """One misbehaving server: what it serves at /f, how download is called, what must happen."""

    body: bytes = b""
    hostile: str | None = None
    options: dict[str, object] = field(default_factory=dict)
    refusal: str = ""  # words of the one-line ZooError
    max_received: int = 0  # bytes the client may have taken at most
    max_seconds: float = 10.0


CASES = {
    # No Content-Length and no end: stopped at the cap (here 1 MiB), nothing kept.
    "endless body": Case(hostile="endless", options={"max_bytes": MIB}, refusal="sent more than 1048576 bytes",
                         max_received=MIB),
    # A byte every 20 ms for 4 MB: the 1-second deadline stops it long before the per-read timeout would.
    "slow drip": Case(body=b"x" * (4 * MIB), hostile="drip", options={"deadline_s": 1.0, "max_bytes": 8 * MIB},
                      refusal="too slow", max_received=200, max_seconds=6.0),
    # A captive portal answering 200 with its login page: never kept as a prototxt or a readme.
    "html page as prototxt": Case(body=PORTAL, options={"check": check_prototxt}, refusal="web page (HTML)",
                                  max_received=len(PORTAL)),
    "html page as readme": Case(body=PORTAL, options={"check": check_readme}, refusal="web page (HTML)",
                                max_received=len(PORTAL)),
    # Announces 1000 bytes and sends 20 KB: reading stops at 1000, and the cut prototxt does not parse.
    "lying content-length": Case(body=PROTOTXT, hostile="lying", options={"check": check_prototxt},
                                 refusal="not a Caffe net description", max_received=LYING_LENGTH),
    # Status line and headers a byte every 20 ms: each read gets a byte well within the 5-second read timeout, so
    # only the deadline on the whole start of the answer stops it.
    "headers dripping": Case(hostile="slow headers", refusal="no complete answer in 5 s", max_received=0,
                             max_seconds=8.0),
    # A Content-Length above what such a file can be: refused before a byte is read.
    "announced too big": Case(body=b"x" * (2 * MIB), options={"max_bytes": MIB}, refusal="announces 2097152 bytes",
                              max_received=0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_hostile_server_is_stopped_and_nothing_is_kept(name: str, server: LoopbackServer, tmp_path: Path) -> None:
    case = CASES[name]
    server.served.files["/f"] = case.body
    if case.hostile:
        server.served.hostile["/f"] = case.hostile
    received: list[int] = [0]
    dest = tmp_path / "models" / "deploy.prototxt"
    started = time.monotonic()
    with pytest.raises(ZooError, match=re.escape(case.refusal)) as raised:
        download(
            f"{server.url}/f", dest, progress=lambda _label, done, _total: received.append(done),
            timeout_s=5.0, **case.options,  # type: ignore[arg-type]
        )
    assert "\n" not in str(raised.value)
    assert time.monotonic() - started < case.max_seconds
    assert max(received) <= case.max_received
    assert not dest.exists() and not part_path(dest).exists()  # nothing half-done stays to fill the disk


def test_where_the_endless_body_and_the_lying_length_stop(server: LoopbackServer, tmp_path: Path) -> None:
    """The figures of the closing note: bytes read from an endless body (cap 1 MiB) and from a lying length."""
    server.served.hostile |= {"/endless": "endless", "/lying": "lying"}
    server.served.files["/lying"] = PROTOTXT
    written: dict[str, int] = {}
    messages = {}
    for path in ("/endless", "/lying"):
        with pytest.raises(ZooError) as raised:
            download(
                f"{server.url}{path}", tmp_path / path.strip("/"), max_bytes=MIB, check=check_prototxt,
                progress=lambda _label, done, _total, path=path: written.__setitem__(path, done),
            )
        messages[path] = str(raised.value)
    # The endless body is read up to the cap and one chunk that shows it goes on: 1 MiB + 1 byte at most.
    assert "stopped after reading 1048577 bytes" in messages["/endless"]
    assert written["/endless"] <= MIB
    # The lying length is read up to what it announced, then refused as a prototxt cut short.
    assert written["/lying"] == LYING_LENGTH and len(PROTOTXT) > 10 * LYING_LENGTH


@pytest.mark.parametrize("announced", [True, False], ids=["length announced", "length unknown"])
def test_a_full_disk_stops_the_download_and_frees_the_space(
    announced: bool, server: LoopbackServer, tmp_path: Path
) -> None:
    server.served.files["/w"] = b"w" * (256 * 1024)
    if not announced:
        server.served.hostile["/w"] = "endless"
    with tiny_disk(tmp_path / "disk", "64k") as disk:
        dest = disk / "w.caffemodel"
        with pytest.raises(NoSpace, match="free some space") as raised:
            download(f"{server.url}/w", dest, max_bytes=MIB)
        assert str(disk) in str(raised.value)
        assert raised.value.exit_code == 1  # the machine's failure, not the user's
        assert list(disk.iterdir()) == []  # no .part left taking what little space there is


def test_https_is_tried_first_and_http_used_when_the_host_has_no_tls(server: LoopbackServer, tmp_path: Path) -> None:
    """The zoo's published http:// addresses are fetched as https:// where the host serves it; this loopback
    host speaks plain HTTP only, so the TLS handshake fails and the http:// address is used."""
    server.served.files["/f"] = PROTOTXT
    handshakes_before = server.served.non_http
    started = time.monotonic()
    download(f"{server.url}/f", tmp_path / "deploy.prototxt", check=check_prototxt, prefer_https=True)
    assert (tmp_path / "deploy.prototxt").read_bytes() == PROTOTXT
    assert server.served.non_http == handshakes_before + 1  # the https:// try reached the host first
    assert server.served.requests == [("/f", None)]
    assert time.monotonic() - started < 10


def test_without_a_fixed_deadline_a_drip_is_stopped_by_its_average_rate(
    server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default deadline moves with what has arrived: after the grace period (here 0.5 s) a download must have
    averaged MIN_RATE (here 1 KB/s); the drip's 50 bytes a second fall behind, a fast transfer never does."""
    monkeypatch.setattr(download_module, "DEADLINE_GRACE_S", 0.5)
    monkeypatch.setattr(download_module, "MIN_RATE", 1000)
    server.served.files |= {"/drip": b"x" * 100_000, "/fast": b"y" * 300_000}
    server.served.hostile["/drip"] = "drip"
    started = time.monotonic()
    with pytest.raises(ZooError, match="too slow"):
        download(f"{server.url}/drip", tmp_path / "drip")
    assert time.monotonic() - started < 5
    download(f"{server.url}/fast", tmp_path / "fast")
    assert (tmp_path / "fast").stat().st_size == 300_000


@pytest.mark.parametrize("ranges", [True, False], ids=["server resumes", "server cannot resume"])
def test_a_part_is_kept_only_when_the_server_can_resume_it(ranges: bool, server: LoopbackServer, tmp_path: Path) -> None:
    served = server.served
    served.files["/w"] = b"w" * 100_000
    served.honour_range = ranges
    served.drop_after["/w"], served.drops_left["/w"] = 10_000, 99
    dest = tmp_path / "w.caffemodel"
    with pytest.raises(ZooError) as raised:
        download(f"{server.url}/w", dest, attempts=2)
    if ranges:
        assert "run again to resume" in str(raised.value) and part_path(dest).stat().st_size == 20_000
    else:  # every try starts over: what a .part would hold is never resumed, so it does not stay on the disk
        assert "nothing was kept" in str(raised.value) and not part_path(dest).exists()
