"""Getting a zoo model into `<models root>/<name>/`: prototxt, readme when facts are missing, caffemodel.

Where each file comes from is the manifest's business (`zoo.toml`). Facts the manifest lacks (`caffemodel_url`,
`sha1`) are read from the model's published readme, as Caffe's `download_model_binary.py` did.

Every file is bounded and checked before it is kept (`content.py`, `archives.py`), so a failed download leaves the
model folder as it was and the next run downloads again. Addresses (mirror or published) are `sources.py`'s.
"""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from deepdream_torch.weights.archives import extract_gist, extract_tar_member
from deepdream_torch.weights.checksum import caffemodel_sha1, file_sha1, write_sidecar
from deepdream_torch.weights.content import (
    ARCHIVE_MAX,
    CAFFEMODEL_MAX,
    GIST_MAX,
    PROTOTXT_MAX,
    README_MAX,
    Check,
    caffemodel_check,
    check_not_html,
    check_prototxt,
    check_readme,
    looks_like_html,
)
from deepdream_torch.weights.discovery import ModelFiles, find_prototxt
from deepdream_torch.weights.download import DownloadProgress, NetworkUnreachable
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.manifest import ZooEntry, zoo_entry
from deepdream_torch.weights.readme import readme_facts
from deepdream_torch.weights.sources import fetch_file, is_gist_zip, url_file_name, zoo_mirror
from deepdream_torch.weights.store import MODELS_ENV, models_root

README = "readme.md"
GIST_ZIP = "gist.zip"


def ensure_model(name: str, progress: DownloadProgress | None = None, *, entry: ZooEntry | None = None) -> ModelFiles:
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


def _ensure(entry: ZooEntry, folder: Path, progress: DownloadProgress | None) -> ModelFiles:
    folder.mkdir(parents=True, exist_ok=True)
    archives: set[Path] = set()
    try:
        if not _has_prototxt(folder):
            _fetch_prototxt(entry, folder, progress, archives)
        files = ModelFiles(prototxt=find_prototxt(folder, entry.name), caffemodel=folder / entry.caffemodel)
        if not _caffemodel_ok(entry, files.caffemodel):
            _fetch_caffemodel(entry, files, progress, archives)
    finally:
        # A published archive is only a carrier: never left taking the disk, whether the run worked or not.
        for archive in archives:
            archive.unlink(missing_ok=True)
    return files


def _caffemodel_ok(entry: ZooEntry, caffemodel: Path) -> bool:
    """Whether a caffemodel already in the folder can be used: present, and its sha1 right when one is known.

    Only facts at hand are used (manifest, a readme already in the folder), so a local copy works offline. A web
    page saved under the caffemodel's name (an old download through a captive portal) is not a caffemodel.
    """
    if not caffemodel.exists() or looks_like_html(caffemodel):
        return False
    readme = _local_readme(caffemodel.parent)
    sha1 = entry.sha1 or (readme_facts(_read(readme)).sha1 if readme else None)
    return sha1 is None or caffemodel_sha1(caffemodel) == sha1


def _fetch_caffemodel(entry: ZooEntry, files: ModelFiles, progress: DownloadProgress | None, archives: set[Path]) -> None:
    caffemodel, folder = files.caffemodel, files.folder
    try:
        sha1 = entry.sha1 or _readme_sha1(entry, folder, progress)
        # Without a published sha1 the bytes are checked by what they are: weights that fit the net.
        check = _sha1_check(sha1) if sha1 is not None else caffemodel_check(files.prototxt)
        if entry.caffemodel_member:
            archive = _fetch_archive(entry, entry.caffemodel_url, folder, progress, archives, ARCHIVE_MAX)
            extract_tar_member(archive, entry.caffemodel_member, caffemodel, CAFFEMODEL_MAX, check)
            # The sha1 check has just read the whole file: a known sha1 is not computed a second time.
            actual = sha1.lower() if sha1 is not None else file_sha1(caffemodel)
        else:
            # A wrong local copy is replaced only once the new file is whole and checked (download renames).
            url = _caffemodel_url(entry, folder)
            actual = fetch_file(
                entry, url, entry.caffemodel, caffemodel, progress, sha1=sha1, max_bytes=CAFFEMODEL_MAX,
                check=check_not_html if sha1 is not None else check,
            )
    except NetworkUnreachable as error:
        if caffemodel.exists():
            raise ZooError(
                f"{caffemodel} does not have the published sha1 and a fresh copy cannot be downloaded ({error});"
                " replace it with the published file"
            ) from error
        raise
    write_sidecar(caffemodel, actual)


def _sha1_check(sha1: str) -> Check:
    def check(path: Path) -> None:
        actual = file_sha1(path)
        if actual != sha1.lower():
            raise ZooError(f"it has sha1 {actual}, not the published {sha1}")

    return check


def _has_prototxt(folder: Path) -> bool:
    """Whether the folder has a net description; a web page saved as one by a failed download is removed."""
    found = False
    for path in folder.glob("*.prototxt"):
        if path.is_file() and looks_like_html(path):
            path.unlink()
        else:
            found = True
    return found


def _fetch_prototxt(entry: ZooEntry, folder: Path, progress: DownloadProgress | None, archives: set[Path]) -> None:
    """The published prototxt into the folder, parsed before it is kept; nothing is left when it fails."""
    url = entry.prototxt_url
    if url is None:
        raise ZooError(
            f"no published prototxt is known for {entry.name}; put its deploy.prototxt in {folder}"
        )
    if entry.prototxt_member:
        archive = _fetch_archive(entry, url, folder, progress, archives, ARCHIVE_MAX)
        target = folder / (PurePosixPath(entry.prototxt_member).stem + ".prototxt")
        extract_tar_member(archive, entry.prototxt_member, target, PROTOTXT_MAX, check_prototxt)
    elif is_gist_zip(url):
        archive = folder / GIST_ZIP
        archives.add(archive)
        fetch_file(entry, url, GIST_ZIP, archive, progress, max_bytes=GIST_MAX, check=_check_zip)
        written = extract_gist(archive, folder, check_not_html)
        try:
            check_prototxt(find_prototxt(folder, entry.name))
        except ZooError as refused:
            for path in written:
                path.unlink(missing_ok=True)
            raise ZooError(f"the gist of {entry.name} has no usable net description ({refused}); run again") from refused
    else:
        name = url_file_name(url)
        fetch_file(entry, url, name, folder / name, progress, max_bytes=PROTOTXT_MAX, check=check_prototxt)


def _check_zip(path: Path) -> None:
    check_not_html(path)
    if not zipfile.is_zipfile(path):
        raise ZooError("it is not a zip archive")


def _check_tar(path: Path) -> None:
    check_not_html(path)
    if not tarfile.is_tarfile(path):
        raise ZooError("it is not a tar archive")


def _readme_sha1(entry: ZooEntry, folder: Path, progress: DownloadProgress | None) -> str | None:
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
    found = sorted(
        p
        for p in folder.iterdir()
        if p.name.lower() in (README, "readme") and p.is_file() and not looks_like_html(p)
    )
    return found[0] if found else None


def _fetch_readme(entry: ZooEntry, folder: Path, progress: DownloadProgress | None) -> Path | None:
    if entry.readme_url is None:
        return None
    target = folder / README
    try:
        fetch_file(entry, entry.readme_url, README, target, progress, max_bytes=README_MAX, check=check_readme)
    except NetworkUnreachable:
        raise
    except ZooError:
        return None  # no readme published (e.g. 404): the facts stay unknown and the file goes unchecked
    return target


def _fetch_archive(
    entry: ZooEntry, url: str | None, folder: Path, progress: DownloadProgress | None, archives: set[Path], max_bytes: int
) -> Path:
    if url is None:
        raise ZooError(f"no published archive is known for {entry.name}")
    archive = folder / url_file_name(url)
    if archive not in archives:
        archives.add(archive)
        fetch_file(entry, url, archive.name, archive, progress, max_bytes=max_bytes, check=_check_tar)
    return archive
