"""One file over HTTP into `<dest>.part`, resumed with a Range request, sha1-checked, then renamed into place.

A half-downloaded file only ever exists as `.part`, so nothing half-done is mistaken for a model. A connection
that drops mid-transfer is retried from where it stopped (the `.part` is kept between runs too). Standard library
only (urllib), so there is no extra dependency to install before a model can be fetched.
"""

from __future__ import annotations

import http.client
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

from deepdream_torch.weights.checksum import file_sha1
from deepdream_torch.weights.errors import ZooError

# (label, bytes done, bytes in all or None when the server does not say); called as data arrives.
Progress = Callable[[str, int, "int | None"], None]

PART_SUFFIX = ".part"
_CHUNK = 1 << 16
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_USER_AGENT = "deepdream-torch (model zoo downloader)"


class NetworkUnreachable(ZooError):
    """The server could not be reached at all (no network, DNS failure, connection refused, timeout)."""


class _Interrupted(Exception):
    """The transfer stopped before the end; what arrived is in the `.part` file."""


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + PART_SUFFIX)


def download(
    url: str,
    dest: Path,
    *,
    sha1: str | None = None,
    progress: Progress | None = None,
    label: str | None = None,
    attempts: int = 3,
    timeout_s: float = 30.0,
) -> str:
    """Download `url` to `dest` (resuming a `.part` left by an earlier try) and return the file's sha1.

    With `sha1`, a file whose sha1 differs is deleted and ZooError says so. After `attempts` interrupted
    transfers ZooError says how far it got; the `.part` stays so that running again resumes.
    """
    if urlparse(url).scheme not in ("http", "https"):
        raise ZooError(f"cannot download {url!r}: only http:// and https:// addresses are supported")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    label = label or dest.name
    reason = ""
    for _ in range(attempts):
        try:
            _transfer(url, part, label, progress, timeout_s)
            break
        except _Interrupted as interruption:
            reason = str(interruption)
    else:
        got = part.stat().st_size if part.exists() else 0
        raise ZooError(
            f"download of {url} kept stopping ({reason}); {got} bytes are kept in {part}, run again to resume"
        )
    actual = file_sha1(part)
    if sha1 is not None and actual != sha1.lower():
        part.unlink()
        raise ZooError(
            f"{dest.name} from {url} has sha1 {actual} but {sha1} was expected; the download was deleted,"
            " run again (if it repeats, the file at that address has changed)"
        )
    os.replace(part, dest)
    return actual


def _transfer(url: str, part: Path, label: str, progress: Progress | None, timeout_s: float) -> None:
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": _USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:
            _check_already_whole(error, part, have)
            return
        raise ZooError(f"{url} answered HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise NetworkUnreachable(f"cannot reach {urlparse(url).netloc} ({error.reason})") from error
    except (TimeoutError, ConnectionError, http.client.HTTPException) as error:
        raise NetworkUnreachable(f"cannot reach {urlparse(url).netloc} ({error})") from error
    with response:
        start, total = _resume_point(response, have, part)
        done = start
        if progress:
            progress(label, done, total)
        with open(part, "r+b" if start else "wb") as out:
            out.seek(start)
            out.truncate()
            try:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(label, done, total)
            except (http.client.IncompleteRead, ConnectionError, TimeoutError) as error:
                raise _Interrupted(
                    f"connection lost after {done} of {total or '?'} bytes: {error!r}"
                ) from error
    if total is not None and done != total:
        raise _Interrupted(f"connection closed after {done} of {total} bytes")


def _resume_point(response: http.client.HTTPResponse, have: int, part: Path) -> tuple[int, int | None]:
    """Where the body starts in the file and the file's full size (None when unknown)."""
    length = response.headers.get("Content-Length")
    if response.status == 206:
        match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
        if match is None or int(match.group(1)) != have:
            # A range we did not ask for: start over rather than splice bytes into the wrong place.
            part.unlink(missing_ok=True)
            raise _Interrupted(
                f"server answered an unexpected range {response.headers.get('Content-Range')!r}"
            )
        return have, None if match.group(3) == "*" else int(match.group(3))
    # 200: the server ignored the Range header (or there was none): the body is the whole file.
    return 0, int(length) if length and length.isdigit() else None


def _check_already_whole(error: urllib.error.HTTPError, part: Path, have: int) -> None:
    """416 to `bytes=<have>-`: fine when the `.part` already holds the whole file, else start over."""
    match = re.fullmatch(r"bytes \*/(\d+)", (error.headers.get("Content-Range") or "").strip())
    if match and int(match.group(1)) == have:
        return
    part.unlink()
    raise _Interrupted(f"the server has no bytes after {have} (the kept .part was longer than the file)")
