"""A file server on 127.0.0.1 for download tests: honours Range, records requests, can drop connections, and can
misbehave as a hostile or broken server does (an endless body, a slow drip, a Content-Length that lies)."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass
class Served:
    """What the server holds and how it misbehaves; tests read `requests` and `body_bytes_sent` afterwards."""

    files: dict[str, bytes] = field(default_factory=dict)
    # path → body bytes to send before closing the connection, for the next N requests of that path
    drop_after: dict[str, int] = field(default_factory=dict)
    drops_left: dict[str, int] = field(default_factory=dict)
    honour_range: bool = True
    # path → "endless" (no length, bytes until the client hangs up), "drip" (a byte every DRIP_S),
    # "lying" (announces LYING_LENGTH bytes, sends the whole file), "slow headers" (its headers a byte every DRIP_S)
    hostile: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    non_http: int = 0  # connections that did not speak HTTP (a TLS handshake to this plain-HTTP server)
    body_bytes_sent: dict[str, int] = field(default_factory=dict)


DRIP_S = 0.02
LYING_LENGTH = 1000


class LoopbackServer:
    def __init__(self, served: Served) -> None:
        self.served = served
        handler = type("Handler", (_Handler,), {"served": served})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    served: Served
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 400:  # what http.server answers to bytes that are not an HTTP request
            self.served.non_http += 1
        super().send_error(code, message, explain)

    def do_GET(self) -> None:
        served = self.served
        range_header = self.headers.get("Range")
        served.requests.append((self.path, range_header))
        body = served.files.get(self.path)
        if self.path in served.hostile:
            self._misbehave(served.hostile[self.path], body or b"")
            return
        if body is None:
            self.send_error(404)
            return
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", range_header or "")
        if match and served.honour_range:
            start = int(match.group(1))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        chunk = body[start:]
        self.send_header("Content-Length", str(len(chunk)))
        self.end_headers()
        if served.drops_left.get(self.path, 0) > 0:
            served.drops_left[self.path] -= 1
            chunk = chunk[: served.drop_after[self.path]]
            self.close_connection = True
        # Counted before writing: the client may finish reading before this thread runs again.
        served.body_bytes_sent[self.path] = served.body_bytes_sent.get(self.path, 0) + len(chunk)
        self.wfile.write(chunk)
        self.wfile.flush()

    def _misbehave(self, how: str, body: bytes) -> None:
        if how == "slow headers":
            self._drip_headers()
            return
        self.send_response(200)
        if how == "lying":
            self.send_header("Content-Length", str(LYING_LENGTH))
        elif how == "drip":
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        sent = 0
        try:
            if how == "endless":
                while True:
                    self.wfile.write(b"\0" * 65536)
                    sent += 65536
                    self.served.body_bytes_sent[self.path] = sent
            elif how == "drip":
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    sent += 1
                    self.served.body_bytes_sent[self.path] = sent
                    time.sleep(DRIP_S)
            else:
                self.wfile.write(body)
                self.served.body_bytes_sent[self.path] = len(body)
        except (OSError, ValueError):
            pass  # the client hung up (or the server is closing): what these servers are for

    def _drip_headers(self) -> None:
        self.close_connection = True
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            for _ in range(50_000):  # 1000 s at DRIP_S: far past any timeout
                self.wfile.write(b"a")
                self.wfile.flush()
                time.sleep(DRIP_S)
        except (OSError, ValueError):
            pass  # the client hung up: what this server is for
