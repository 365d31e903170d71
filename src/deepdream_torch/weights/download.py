"""One file over HTTP into `<dest>.part`, resumed with a Range request, bounded, checked, then renamed into place.

A half-downloaded file only ever exists as `.part`, so nothing half-done is mistaken for a model. A connection
that drops mid-transfer is retried from where it stopped; the `.part` is kept between runs only when the server
can resume it (it answered a range, or says it accepts ranges), else it is deleted rather than left on the disk.

Nothing a server sends can eat the disk or the clock: a file is at most `max_bytes` (its announced size when
the server gives one, which may not exceed `max_bytes` either), the free space is checked before writing, and
besides the per-read timeout the whole download keeps to a deadline that moves with what has arrived: after a
grace period it must have averaged `MIN_RATE` (a server dripping a byte a second is stopped after the grace
period, whatever size it announced; a 550 MB model on a slow line still has hours), and the start of each answer
(TLS handshake, status line, headers) must arrive within the read timeout in all (`watchdog.py`).
The bytes are sha1-checked and handed to `check` (is this really a prototxt, a caffemodel...) before the rename.
Standard library only (urllib), so there is no extra dependency to install before a model can be fetched.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import re
import shutil
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse

from deepdream_torch.weights.checksum import file_sha1
from deepdream_torch.weights.content import CAFFEMODEL_MAX, Check
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.watchdog import AnswerTooSlow, open_with_deadline

# (label, bytes done, bytes in all or None when the server does not say); called as data arrives.
DownloadProgress = Callable[[str, int, "int | None"], None]

PART_SUFFIX = ".part"
_CHUNK = 1 << 16
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_USER_AGENT = "deepdream-torch (model zoo downloader)"
# A download may take this long, plus the time what it received so far takes at this rate: it is stopped once it
# has averaged less (a 550 MB model on a 20 KB/s line still arrives, in 8 hours; a drip is stopped after 30 s,
# as long as the per-read timeout, so a server that is merely slow to start is not cut short).
DEADLINE_GRACE_S = 30.0
MIN_RATE = 16 * 1024
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_HTTPS_PROBE_S = 10.0


class NetworkUnreachable(ZooError):
    """The server could not be reached at all (no network, DNS failure, connection refused, timeout)."""


class NoSpace(ZooError):
    """The disk cannot hold the download: a failure of the machine, not of the user's input."""

    exit_code = 1


class _TryNext(Exception):
    """This address did not answer; the next one is tried."""


class _Interrupted(Exception):
    """The transfer stopped before the end; what arrived is in the `.part` file."""


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + PART_SUFFIX)


def deadline_for(size: int) -> float:
    """Seconds a download of ``size`` bytes may take in all (at ``MIN_RATE`` after the grace period)."""
    return DEADLINE_GRACE_S + size / MIN_RATE


def download(
    url: str,
    dest: Path,
    *,
    sha1: str | None = None,
    max_bytes: int = CAFFEMODEL_MAX,
    check: Check | None = None,
    progress: DownloadProgress | None = None,
    label: str | None = None,
    attempts: int = 3,
    timeout_s: float = 30.0,
    deadline_s: float | None = None,
    prefer_https: bool = False,
) -> str:
    """Download `url` to `dest` (resuming a `.part` left by an earlier try) and return the file's sha1.

    With `sha1`, a file whose sha1 differs is deleted and ZooError says so; `check(part)` may refuse the bytes
    (ZooError) and they are deleted too. More than `max_bytes`, or slower than `MIN_RATE` on average after
    `DEADLINE_GRACE_S` (or past `deadline_s` seconds, when given), ZooError says so. After `attempts`
    interrupted transfers ZooError says how far it got; the `.part` stays when running again can resume it. A
    full disk is `NoSpace` (exit code 1). With `prefer_https`, an http:// address is tried as https:// first,
    and as given when that fails (a host without TLS).
    """
    _check_address(url)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    urls = [_https(url), url] if prefer_https and url.startswith("http://") else [url]
    transfer = _Transfer(urls, part, label or dest.name, progress, timeout_s, max_bytes, deadline_s)
    reason = ""
    for _ in range(attempts):
        try:
            transfer.run()
            reason = ""
            break
        except _Interrupted as interruption:
            reason = str(interruption)
            if transfer.past_deadline():
                break
    if reason:
        raise _given_up(transfer.url, part, reason, transfer.resumable)
    url = transfer.url
    if check is not None:
        try:
            check(part)
        except ZooError as refused:
            part.unlink(missing_ok=True)
            raise ZooError(
                f"what {url} sent is not a usable {dest.name}: {refused}; it was not kept, run again later"
            ) from refused
    actual = file_sha1(part)
    if sha1 is not None and actual != sha1.lower():
        part.unlink()
        raise ZooError(
            f"{dest.name} from {url} has sha1 {actual} but {sha1} was expected; the download was deleted,"
            " run again (if it repeats, the file at that address has changed)"
        )
    os.replace(part, dest)
    return actual


def _check_address(url: str) -> None:
    try:
        parsed = urlparse(url)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        raise ZooError(f"cannot download {url!r}: not a valid address ({error})") from None
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ZooError(f"cannot download {url!r}: only http:// and https:// addresses are supported")


def _https(url: str) -> str:
    return "https://" + url.removeprefix("http://")


def _given_up(url: str, part: Path, reason: str, resumable: bool) -> ZooError:
    got = part.stat().st_size if part.exists() else 0
    if resumable and got:
        return ZooError(f"download of {url} kept stopping ({reason}); {got} bytes are kept in {part}, run again to resume")
    part.unlink(missing_ok=True)
    return ZooError(f"download of {url} failed ({reason}); the server cannot resume it, so nothing was kept: run again")


class _Transfer:
    """The tries of one download, sharing its deadline and what is known about the server."""

    def __init__(
        self,
        urls: list[str],
        part: Path,
        label: str,
        progress: DownloadProgress | None,
        timeout_s: float,
        max_bytes: int,
        deadline_s: float | None,
    ) -> None:
        self.urls, self.url = urls, urls[-1]
        self.part, self.label, self.progress = part, label, progress
        self.timeout_s, self.max_bytes = timeout_s, max_bytes
        self.started = time.monotonic()
        self.deadline_s = deadline_s
        self.received = 0  # body bytes over every try
        self.resumable = False

    def past_deadline(self) -> bool:
        """Past ``deadline_s``, or (without one) received less than ``MIN_RATE`` a second since the grace ended."""
        elapsed = time.monotonic() - self.started
        if self.deadline_s is not None:
            return elapsed >= self.deadline_s
        return elapsed > DEADLINE_GRACE_S and self.received < MIN_RATE * (elapsed - DEADLINE_GRACE_S)

    def run(self) -> None:
        have = self.part.stat().st_size if self.part.exists() else 0
        if have > self.max_bytes:
            self.part.unlink()
            have = 0
        response = self._open(have)
        if response is None:
            return  # the kept `.part` already holds the whole file
        with response:
            start, total = self._resume_point(response, have)
            self._check_space(total, start)
            self._receive(response, start, total)

    def _open(self, have: int) -> http.client.HTTPResponse | None:
        """The response of the first address that answers (then the only one tried again)."""
        for index, url in enumerate(self.urls):
            try:
                response = self._request(url, have, last=index == len(self.urls) - 1)
            except _TryNext:
                continue
            self.urls, self.url = [url], url
            return response
        raise AssertionError("the last address raises instead of _TryNext")

    def _request(self, url: str, have: int, last: bool) -> http.client.HTTPResponse | None:
        headers = {"User-Agent": _USER_AGENT}
        if have:
            headers["Range"] = f"bytes={have}-"
        request = urllib.request.Request(url, headers=headers)
        host = urlparse(url).netloc
        # An https:// address tried first gets a short timeout: a host that drops TLS connections costs little.
        timeout = self.timeout_s if last else min(self.timeout_s, _HTTPS_PROBE_S)
        try:
            return open_with_deadline(request, timeout)
        except AnswerTooSlow as error:
            if not last:
                raise _TryNext from error
            raise ZooError(f"{host} started answering but sent no complete answer in {timeout:.0f} s: run again later") from error
        except urllib.error.HTTPError as error:
            if error.code == 416 and have:
                _check_already_whole(error, self.part, have)
                return None
            if not last:
                raise _TryNext from error
            raise ZooError(f"{url} answered HTTP {error.code} {error.reason}") from error
        except (urllib.error.URLError, TimeoutError, ConnectionError, ssl.SSLError, http.client.HTTPException) as error:
            if not last:
                raise _TryNext from error
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            raise NetworkUnreachable(f"cannot reach {host} ({reason})") from error
        except ValueError as error:  # urllib's own complaint about an address it cannot use
            raise ZooError(f"cannot download {url!r}: {error}") from error

    def _resume_point(self, response: http.client.HTTPResponse, have: int) -> tuple[int, int | None]:
        """Where the body starts in the file and the file's full size (None when unknown)."""
        self.resumable = response.status == 206 or response.headers.get("Accept-Ranges", "").strip() == "bytes"
        if response.status == 206:
            match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
            if match is None or int(match.group(1)) != have:
                # A range we did not ask for: start over rather than splice bytes into the wrong place.
                self.part.unlink(missing_ok=True)
                raise _Interrupted(f"server answered an unexpected range {response.headers.get('Content-Range')!r}")
            start, total = have, None if match.group(3) == "*" else int(match.group(3))
        else:
            # 200: the server ignored the Range header (or there was none): the body is the whole file.
            length = response.headers.get("Content-Length", "").strip()
            start, total = 0, int(length) if length.isdigit() else None
        if total is not None and total > self.max_bytes:
            self.part.unlink(missing_ok=True)
            raise ZooError(
                f"{self.url} announces {total} bytes, more than the {self.max_bytes} such a file can have;"
                " nothing was downloaded (is the address right?)"
            )
        return start, total

    def _check_space(self, total: int | None, start: int) -> None:
        if total is None:
            return  # unknown size: a full disk is caught while writing
        free = shutil.disk_usage(self.part.parent).free
        if free < total - start:
            raise NoSpace(
                f"{self.part.parent} has {free // (1 << 20)} MiB free but {self.label} needs"
                f" {(total - start) // (1 << 20) + 1} MiB: free some space and run again"
            )

    def _receive(self, response: http.client.HTTPResponse, start: int, total: int | None) -> None:
        done = start
        limit = self.max_bytes if total is None else total
        if self.progress:
            self.progress(self.label, done, total)
        out = open(self.part, "r+b" if start else "wb")  # noqa: SIM115 - closed by the with below
        with out:
            out.seek(start)
            out.truncate()
            while True:
                # read1 returns what has arrived, so the deadline is checked however slowly bytes drip in.
                try:
                    chunk = response.read1(min(_CHUNK, limit - done + 1))
                except (http.client.IncompleteRead, ConnectionError, TimeoutError) as error:
                    raise _Interrupted(f"connection lost after {done} of {total or '?'} bytes: {error!r}") from error
                if not chunk:
                    break
                if done + len(chunk) > limit:
                    out.close()
                    self.part.unlink(missing_ok=True)
                    raise ZooError(
                        f"{self.url} sent more than {self.max_bytes} bytes without ending; stopped after reading"
                        f" {done + len(chunk)} bytes and deleted them (is the address right?)"
                    )
                try:
                    out.write(chunk)
                except OSError as error:
                    if error.errno in _DISK_FULL:
                        raise self._no_space(out, done) from error
                    error.filename = error.filename or str(self.part)  # write() names no file
                    raise
                done += len(chunk)
                self.received += len(chunk)
                if self.progress:
                    self.progress(self.label, done, total)
                if self.past_deadline():
                    raise _Interrupted(
                        f"too slow: {done} of {total or '?'} bytes after {time.monotonic() - self.started:.0f} s"
                    )
        if total is not None and done != total:
            raise _Interrupted(f"connection closed after {done} of {total} bytes")

    def _no_space(self, out: BinaryIO, done: int) -> NoSpace:
        self.part.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # its buffered bytes cannot be written: the file is gone anyway
            out.close()
        return NoSpace(
            f"the disk is full writing {self.part} ({done} bytes written, now deleted to free the space):"
            " free some space and run again"
        )


def _check_already_whole(error: urllib.error.HTTPError, part: Path, have: int) -> None:
    """416 to `bytes=<have>-`: fine when the `.part` already holds the whole file, else start over."""
    match = re.fullmatch(r"bytes \*/(\d+)", (error.headers.get("Content-Range") or "").strip())
    if match and int(match.group(1)) == have:
        return
    part.unlink()
    raise _Interrupted(f"the server has no bytes after {have} (the kept .part was longer than the file)")
