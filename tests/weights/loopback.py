"""A file server on 127.0.0.1 for download tests: honours Range, records requests, can drop connections."""

from __future__ import annotations

import re
import threading
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
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    body_bytes_sent: dict[str, int] = field(default_factory=dict)


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

    def do_GET(self) -> None:
        served = self.served
        range_header = self.headers.get("Range")
        served.requests.append((self.path, range_header))
        body = served.files.get(self.path)
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
