"""Where a download from a hostile server stops: bytes read and seconds, with the limits a real run uses.

Servers on 127.0.0.1 (the tests' loopback server): an endless body without a Content-Length (per kind of file:
readme, prototxt, caffemodel), a Content-Length of 1000 in front of a 120 KB prototxt, a header that drips a byte
every 20 ms, and a body that does (1 MiB announced, no ranges). Nothing is kept in any case; the table says what
was read before the stop. ``--quick`` skips the 1 GiB caffemodel body and the 30-second drip.

    python benchmarks/bench_downloads.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from deepdream_torch.weights.content import CAFFEMODEL_MAX, PROTOTXT_MAX, README_MAX, check_prototxt
from deepdream_torch.weights.download import DEADLINE_GRACE_S, MIN_RATE, download
from deepdream_torch.weights.errors import ZooError

REPO = Path(__file__).resolve().parents[1]


def stop(url: str, dest: Path, **options: object) -> tuple[int, int, float, str]:
    """Bytes handed to the file before the refusal, bytes left on the disk after it, seconds, the refusal's line."""
    written = [0]
    started = time.monotonic()
    try:
        download(url, dest, progress=lambda _label, done, _total: written.__setitem__(0, done), **options)  # type: ignore[arg-type]
    except ZooError as refused:
        kept = sum(p.stat().st_size for p in dest.parent.glob(dest.name + "*"))
        return written[0], kept, time.monotonic() - started, str(refused)
    raise AssertionError(f"{url} was downloaded")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    sys.path.insert(0, str(REPO))
    from tests.weights.loopback import LYING_LENGTH, LoopbackServer, Served

    lying = b'name: "x"\n' + b'layer { name: "r" type: "ReLU" bottom: "data" top: "data" }\n' * 2000
    print("| server | limit | bytes read | bytes kept | seconds | the line |")
    print("|---|---|---|---|---|---|")
    with LoopbackServer(Served()) as server, tempfile.TemporaryDirectory() as folder:
        served = server.served
        served.hostile |= {"/endless": "endless", "/lying": "lying", "/drip": "drip", "/headers": "slow headers"}
        served.files |= {"/lying": lying, "/drip": b"x" * (1 << 20)}
        kinds = [("readme", README_MAX), ("prototxt", PROTOTXT_MAX)] + ([] if quick else [("caffemodel", CAFFEMODEL_MAX)])
        for kind, cap in kinds:
            _, kept, seconds, line = stop(f"{server.url}/endless", Path(folder) / kind, max_bytes=cap)
            read = line.split("stopped after reading ")[1].split(" ")[0]
            print(f"| endless body | {kind}: {cap} bytes | {read} | {kept} | {seconds:.1f} | {line[:60]}… |")
        read, kept, seconds, line = stop(f"{server.url}/lying", Path(folder) / "deploy.prototxt", check=check_prototxt)
        print(f"| Content-Length {LYING_LENGTH}, {len(lying)} sent | prototxt, parsed | {read} | {kept} |"
              f" {seconds:.1f} | {line[line.index('is not'):][:60]}… |")
        read, kept, seconds, line = stop(f"{server.url}/headers", Path(folder) / "h", timeout_s=5.0)
        print(f"| headers a byte / 20 ms | read timeout 5 s | {read} | {kept} | {seconds:.1f} | {line[:60]}… |")
        if not quick:
            read, kept, seconds, line = stop(f"{server.url}/drip", Path(folder) / "drip", max_bytes=PROTOTXT_MAX)
            print(f"| body a byte / 20 ms | {DEADLINE_GRACE_S:.0f} s grace, then {MIN_RATE} B/s | {read} | {kept} |"
                  f" {seconds:.1f} | {line[:60]}… |")


if __name__ == "__main__":
    main()
