"""Opening an HTTP(S) address with a deadline on the whole answer's start, not only on each read.

urllib's timeout applies to each read from the socket, so a server that sends its status line and headers a byte
every few seconds is never timed out. Here every socket the opener connects is recorded, and a timer shuts them
down when the deadline passes: the read in progress fails and the caller says why in one line.
"""

from __future__ import annotations

import http.client
import socket
import threading
import urllib.request
from typing import Any


class _Sockets:
    """The sockets of one opening, and whether the deadline cut them."""

    def __init__(self) -> None:
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.cut = False

    def add(self, connected: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(connected)
            if self.cut:
                _shut(connected)
        return connected

    def cut_all(self) -> None:
        with self._lock:
            self.cut = True
            for connected in self._sockets:
                _shut(connected)


def _shut(connected: socket.socket) -> None:
    try:
        connected.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: nothing left to cut


def _watched(base: type[http.client.HTTPConnection], sockets: _Sockets) -> Any:
    def make(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        connection = base(*args, **kwargs)
        # Recorded as soon as it connects, before a TLS handshake (which could drip too).
        connection._create_connection = lambda *a, **k: sockets.add(socket.create_connection(*a, **k))  # type: ignore[attr-defined]
        return connection

    return make


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, sockets: _Sockets) -> None:
        super().__init__()
        self._sockets = sockets

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPConnection, self._sockets), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, sockets: _Sockets) -> None:
        super().__init__()
        self._sockets = sockets

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_watched(http.client.HTTPSConnection, self._sockets), req, context=self._context)


class AnswerTooSlow(OSError):
    """The server did not finish the start of its answer (status line and headers) in time."""


def open_with_deadline(request: urllib.request.Request, timeout_s: float) -> http.client.HTTPResponse:
    """``urlopen(request, timeout=timeout_s)``, where the status line and headers must also arrive within
    ``timeout_s`` in all; ``AnswerTooSlow`` when they do not (urllib's own errors otherwise, as urlopen raises)."""
    sockets = _Sockets()
    opener = urllib.request.build_opener(_HTTPHandler(sockets), _HTTPSHandler(sockets))
    timer = threading.Timer(timeout_s, sockets.cut_all)
    timer.daemon = True
    timer.start()
    try:
        response = opener.open(request, timeout=timeout_s)
    except (OSError, http.client.HTTPException) as error:
        if sockets.cut:
            raise AnswerTooSlow(f"no complete answer within {timeout_s:.0f} s") from error
        raise
    finally:
        timer.cancel()
    if sockets.cut:
        # Cut mid-header, http.client can take the end of the stream for the end of the headers: not an answer.
        response.close()
        raise AnswerTooSlow(f"no complete answer within {timeout_s:.0f} s")
    return response
