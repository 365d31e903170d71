"""Where a zoo file is fetched from: the published address (tried as https:// first), or the mirror's.

`DEEPDREAM_ZOO_MIRROR=http://host/path` replaces every address by `<mirror>/<model name>/<file name>`, where the
file name is the one the model folder ends up with (`<name>.caffemodel`, the prototxt's name, `readme.md`), or
`gist.zip` for a gist's files and the archive's own name for a published archive. A mirror that is not an http(s)
address is refused in one line before anything is fetched.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlparse

from deepdream_torch.weights.content import Check
from deepdream_torch.weights.download import DownloadProgress, download
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.manifest import ZooEntry

MIRROR_ENV = "DEEPDREAM_ZOO_MIRROR"


def fetch_file(
    entry: ZooEntry,
    url: str,
    file_name: str,
    target: Path,
    progress: DownloadProgress | None,
    *,
    max_bytes: int,
    check: Check | None,
    sha1: str | None = None,
) -> str:
    """``download`` from the mirror when one is set, else from the published address (as https when the host
    serves it)."""
    mirror = zoo_mirror()
    source = f"{mirror.rstrip('/')}/{quote(entry.name)}/{quote(file_name)}" if mirror else url
    return download(
        source, target, sha1=sha1, max_bytes=max_bytes, check=check, progress=progress, label=file_name,
        prefer_https=not mirror,
    )


def zoo_mirror() -> str | None:
    """DEEPDREAM_ZOO_MIRROR when set, checked to be an http(s) address; ZooError in one line otherwise."""
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if not mirror:
        return None
    try:
        parsed = urlparse(mirror)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as error:
        problem = str(error)
    else:
        problem = "it must start with http:// or https://" if parsed.scheme not in ("http", "https") else ""
        if not problem and not parsed.hostname:
            problem = "it names no host"
        if not problem and any(c.isspace() or ord(c) < 32 for c in mirror):
            problem = "it contains spaces or control characters"
    if problem:
        raise ZooError(
            f"{MIRROR_ENV}={mirror!r} is not a usable address ({problem}): set it to http://host/path or unset it"
        )
    return mirror


def is_gist_zip(url: str) -> bool:
    parsed = urlparse(url)
    is_gist_download = parsed.netloc == "gist.github.com" and parsed.path.endswith("/download")
    return is_gist_download or parsed.path.endswith(".zip")


def url_file_name(url: str) -> str:
    return PurePosixPath(urlparse(url).path).name
