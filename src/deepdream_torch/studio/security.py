"""The gate every request passes: the token, the Host header, and for changes a same-origin JSON request.

Local AI web UIs are attacked from the browser the user already runs: a page elsewhere POSTs to localhost
(cross-site requests), a rebinding DNS name points at 127.0.0.1 (foreign Host), or a file route is walked out of
its folder. So: a secret token on every request (in the address once, then an HttpOnly SameSite=Strict cookie);
the Host header must be one of the server's own names; a request that changes anything must carry the
``X-Studio`` header (a cross-site page cannot send it without a CORS preflight this server never grants) and an
Origin, when sent, must be the server's own (``null`` is refused).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, Iterable
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

COOKIE = "deepdream_studio"
CHANGE_HEADER = b"x-studio"
SAFE_METHODS = (b"GET", b"HEAD")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def host_names(host: str) -> frozenset[str]:
    """The names a request's Host may carry: the address listened on, and the loopback names on loopback."""
    names = {host.strip("[]")}
    if host in LOOPBACK_NAMES or host.startswith("127."):
        names |= set(LOOPBACK_NAMES)
    return frozenset(names)


class Gate:
    """ASGI middleware that refuses, with one JSON line and 403, what the module docstring says."""

    def __init__(self, app: Callable[..., Awaitable[None]], token: str, hosts: Iterable[str]) -> None:
        self.app, self.token, self.hosts = app, token, frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", [])}
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            await _refuse(send, refusal)
            return
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [None])[0]
        if given is None:
            await self.app(scope, receive, send)
            return

        async def with_cookie(message: dict[str, Any]) -> None:
            # The token from the address becomes a cookie, so the page's own requests need not repeat it.
            if message["type"] == "http.response.start":
                cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, receive, with_cookie)

    def refusal(self, scope: Scope, headers: dict[str, str]) -> str | None:
        """Why the request is refused, or None."""
        host = _host_name(headers.get("host", ""))
        if host not in self.hosts:
            return f"refused: Host {headers.get('host', '')!r} is not this server's name (DNS rebinding guard)"
        if not self._has_token(scope, headers):
            return "refused: open the address the studio printed (with its ?token=...); the token is missing or wrong"
        if scope["method"].encode() in SAFE_METHODS:
            return None
        if CHANGE_HEADER.decode() not in headers:
            return "refused: a change must come from the studio's page (the X-Studio header is missing)"
        origin = headers.get("origin")
        if origin is not None and _host_name(origin.split("://", 1)[-1]) not in self.hosts:
            return f"refused: a request from another site (Origin {origin!r})"
        if headers.get("sec-fetch-site") == "cross-site":
            return "refused: a request from another site (Sec-Fetch-Site: cross-site)"
        return None

    def _has_token(self, scope: Scope, headers: dict[str, str]) -> bool:
        candidates = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except CookieError:  # a malformed cookie header is a missing token, nothing more
            cookie = SimpleCookie()
        if COOKIE in cookie:
            candidates.append(cookie[COOKIE].value)
        return any(hmac.compare_digest(value.encode(), self.token.encode()) for value in candidates)


def _host_name(host: str) -> str:
    """The name in a Host header or an origin's authority, without the port and brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _refuse(send: Send, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": 403, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
