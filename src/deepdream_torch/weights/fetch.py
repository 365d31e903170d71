"""Getting a zoo model into `<models root>/<name>/`: prototxt, readme when facts are missing, caffemodel.

Where each file comes from is the manifest's business (`zoo.toml`). Facts the manifest lacks (`caffemodel_url`,
`sha1`) are read from the model's published readme, as Caffe's `download_model_binary.py` did.

`DEEPDREAM_ZOO_MIRROR=http://host/path` replaces every address by `<mirror>/<model name>/<file name>`, where the
file name is the one the model folder ends up with (`<name>.caffemodel`, the prototxt's name, `readme.md`), or
`gist.zip` for a gist's files and the archive's own name for a published archive.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlparse

from deepdream_torch.weights.checksum import caffemodel_sha1, file_sha1, write_sidecar
from deepdream_torch.weights.discovery import ModelFiles, find_prototxt
from deepdream_torch.weights.download import NetworkUnreachable, Progress, download
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.manifest import ZooEntry, zoo_entry
from deepdream_torch.weights.readme import readme_facts
from deepdream_torch.weights.store import MODELS_ENV, models_root

MIRROR_ENV = "DEEPDREAM_ZOO_MIRROR"
README = "readme.md"
GIST_ZIP = "gist.zip"
# Files of a gist worth keeping: net descriptions and the readme with the download facts.
_GIST_KEEP = (".prototxt", ".md")


def ensure_model(name: str, progress: Progress | None = None, *, entry: ZooEntry | None = None) -> ModelFiles:
    """The files of a zoo model, fetched (and sha1-checked) into the models root on first use.

    Offline, ZooError says in one line how to point DEEPDREAM_MODELS at a local copy.
    """
    entry = entry or zoo_entry(name)
    folder = models_root() / entry.name
    try:
        return _ensure(entry, folder, progress)
    except ZooError as error:
        # An empty folder left behind would later read as "a model folder without a prototxt".
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        if not isinstance(error, NetworkUnreachable):
            raise
        raise ZooError(
            f"cannot download {entry.name}: {error}. Without network, put deploy.prototxt and {entry.caffemodel}"
            f" in <folder>/models/{entry.name}/ and set {MODELS_ENV}=<folder>"
        ) from error


def _ensure(entry: ZooEntry, folder: Path, progress: Progress | None) -> ModelFiles:
    folder.mkdir(parents=True, exist_ok=True)
    archives: set[Path] = set()
    if not _has_prototxt(folder):
        _fetch_prototxt(entry, folder, progress, archives)
    files = ModelFiles(prototxt=find_prototxt(folder, entry.name), caffemodel=folder / entry.caffemodel)
    if not _caffemodel_ok(entry, files.caffemodel):
        _fetch_caffemodel(entry, files.caffemodel, progress, archives)
    for archive in archives:
        archive.unlink(missing_ok=True)
    return files


def _caffemodel_ok(entry: ZooEntry, caffemodel: Path) -> bool:
    """Whether a caffemodel already in the folder can be used: present, and its sha1 right when one is known.

    Only facts at hand are used (manifest, a readme already in the folder), so a local copy works offline.
    """
    if not caffemodel.exists():
        return False
    readme = _local_readme(caffemodel.parent)
    sha1 = entry.sha1 or (readme_facts(_read(readme)).sha1 if readme else None)
    return sha1 is None or caffemodel_sha1(caffemodel) == sha1


def _fetch_caffemodel(
    entry: ZooEntry, caffemodel: Path, progress: Progress | None, archives: set[Path]
) -> None:
    folder = caffemodel.parent
    try:
        sha1 = entry.sha1 or _readme_sha1(entry, folder, progress)
        if entry.caffemodel_member:
            archive = _fetch_archive(entry, entry.caffemodel_url, folder, progress, archives)
            _extract_tar_member(archive, entry.caffemodel_member, caffemodel)
            actual = file_sha1(caffemodel)
            if sha1 is not None and actual != sha1:
                caffemodel.unlink()
                raise ZooError(
                    f"{entry.caffemodel} in {archive.name} has sha1 {actual}, not {sha1}; it was deleted"
                )
        else:
            # A wrong local copy is replaced only once the new file is whole and checked (download renames).
            url = _source(entry, _caffemodel_url(entry, folder), entry.caffemodel)
            actual = download(url, caffemodel, sha1=sha1, progress=progress, label=entry.caffemodel)
    except NetworkUnreachable as error:
        if caffemodel.exists():
            raise ZooError(
                f"{caffemodel} does not have the published sha1 and a fresh copy cannot be downloaded ({error});"
                " replace it with the published file"
            ) from error
        raise
    write_sidecar(caffemodel, actual)


def _has_prototxt(folder: Path) -> bool:
    return any(folder.glob("*.prototxt"))


def _fetch_prototxt(entry: ZooEntry, folder: Path, progress: Progress | None, archives: set[Path]) -> None:
    url = entry.prototxt_url
    if url is None:
        raise ZooError(
            f"no published prototxt is known for {entry.name}; put its deploy.prototxt in {folder}"
        )
    if entry.prototxt_member:
        archive = _fetch_archive(entry, url, folder, progress, archives)
        target = folder / (PurePosixPath(entry.prototxt_member).stem + ".prototxt")
        _extract_tar_member(archive, entry.prototxt_member, target)
    elif _is_gist_zip(url):
        archive = folder / GIST_ZIP
        download(_source(entry, url, GIST_ZIP), archive, progress=progress, label=f"{entry.name} gist")
        _extract_gist(archive, folder)
        archive.unlink()
    else:
        name = _url_file_name(url)
        download(_source(entry, url, name), folder / name, progress=progress, label=name)


def _readme_sha1(entry: ZooEntry, folder: Path, progress: Progress | None) -> str | None:
    readme = _local_readme(folder) or _fetch_readme(entry, folder, progress)
    return readme_facts(_read(readme)).sha1 if readme else None


def _caffemodel_url(entry: ZooEntry, folder: Path) -> str:
    if entry.caffemodel_url:
        return entry.caffemodel_url
    readme = _local_readme(folder)
    url = readme_facts(_read(readme)).caffemodel_url if readme else None
    if url:
        return url
    if zoo_mirror():
        return ""  # the mirror's address is all that is needed
    raise ZooError(
        f"no caffemodel_url is published for {entry.name}; download {entry.caffemodel} by hand into {folder}"
    )


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _local_readme(folder: Path) -> Path | None:
    found = sorted(p for p in folder.iterdir() if p.name.lower() in (README, "readme") and p.is_file())
    return found[0] if found else None


def _fetch_readme(entry: ZooEntry, folder: Path, progress: Progress | None) -> Path | None:
    if entry.readme_url is None:
        return None
    target = folder / README
    try:
        download(_source(entry, entry.readme_url, README), target, progress=progress, label=README)
    except NetworkUnreachable:
        raise
    except ZooError:
        return None  # no readme published (e.g. 404): the facts stay unknown and the file goes unchecked
    return target


def _fetch_archive(
    entry: ZooEntry, url: str | None, folder: Path, progress: Progress | None, archives: set[Path]
) -> Path:
    if url is None:
        raise ZooError(f"no published archive is known for {entry.name}")
    archive = folder / _url_file_name(url)
    if archive not in archives:
        download(_source(entry, url, archive.name), archive, progress=progress, label=archive.name)
        archives.add(archive)
    return archive


def _extract_tar_member(archive: Path, member: str, target: Path) -> None:
    """Copy one named file out of a tar archive (nothing else is extracted, so paths inside cannot escape)."""
    tmp = target.with_name(target.name + ".tmp")
    try:
        with tarfile.open(archive) as tar:
            source = tar.extractfile(member)
            if source is None:
                raise ZooError(f"{member} in {archive.name} is not a file")
            with source, open(tmp, "wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
    except KeyError as error:
        raise ZooError(f"{archive.name} has no {member}; the published archive has changed") from error
    except tarfile.TarError as error:
        raise ZooError(
            f"{archive.name} is not a readable tar archive ({error}); delete it and run again"
        ) from error
    os.replace(tmp, target)


def _extract_gist(archive: Path, folder: Path) -> None:
    """Keep a gist zip's prototxt and markdown files, flattened into the model folder."""
    try:
        with zipfile.ZipFile(archive) as gist:
            for info in gist.infolist():
                name = PurePosixPath(info.filename).name
                if info.is_dir() or not name.lower().endswith(_GIST_KEEP) or name.startswith("."):
                    continue
                with gist.open(info) as source, open(folder / name, "wb") as out:
                    shutil.copyfileobj(source, out)
    except zipfile.BadZipFile as error:
        raise ZooError(
            f"{archive} is not a zip archive ({error}); the gist address may have changed"
        ) from error


def _source(entry: ZooEntry, url: str, file_name: str) -> str:
    """The address to fetch a file from: the mirror's when DEEPDREAM_ZOO_MIRROR is set, else the published one."""
    mirror = zoo_mirror()
    if mirror:
        return f"{mirror.rstrip('/')}/{quote(entry.name)}/{quote(file_name)}"
    return url


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


def _is_gist_zip(url: str) -> bool:
    parsed = urlparse(url)
    is_gist_download = parsed.netloc == "gist.github.com" and parsed.path.endswith("/download")
    return is_gist_download or parsed.path.endswith(".zip")


def _url_file_name(url: str) -> str:
    return PurePosixPath(urlparse(url).path).name
