"""A zoo mirror that serves the wrong thing (a captive portal's page, an archive with a huge member): nothing of
it is kept in the model folder, the error is one line, and the next run, with a sane server, downloads again."""

from __future__ import annotations

import io
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from deepdream_torch.weights.content import GIST_TOTAL_MAX, PROTOTXT_MAX
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.fetch import ensure_model
from tests.weights.loopback import LoopbackServer
from tests.weights.test_fetch import PROTOTXT, WEIGHTS, an_entry, readme, sha1, weights_of_prototxt

PORTAL = b"<!doctype html><html><body><form>Accept the terms to use the Wi-Fi</form></body></html>"
GIST = "https://gist.github.com/someone/abc/download"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tarred(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@dataclass
class Case:
    served: dict[str, bytes]  # at /zoo/tiny/<name>
    entry: dict[str, object]
    refusal: str


GOOD = {"deploy.prototxt": PROTOTXT, "tiny.caffemodel": WEIGHTS}
CASES = {
    "portal page as prototxt": Case({**GOOD, "deploy.prototxt": PORTAL}, {}, "web page (HTML)"),
    "portal page as caffemodel, sha1 published": Case({**GOOD, "tiny.caffemodel": PORTAL}, {}, "web page (HTML)"),
    "portal page as caffemodel, no sha1": Case(
        {**GOOD, "tiny.caffemodel": PORTAL}, {"sha1": None}, "web page (HTML)"
    ),
    "weights of another net, no sha1": Case({**GOOD}, {"sha1": None}, "do not fit deploy.prototxt"),
    "portal page as readme, then as caffemodel": Case(
        {**GOOD, "readme.md": PORTAL, "tiny.caffemodel": PORTAL},
        {"sha1": None, "readme_url": "http://models.example.invalid/readme.md"},
        "web page (HTML)",
    ),
    "portal page as gist zip": Case({"gist.zip": PORTAL}, {"sha1": None, "prototxt_url": GIST}, "web page (HTML)"),
    "gist member bigger than a prototxt can be": Case(
        {"gist.zip": zipped({"g/deploy.prototxt": PROTOTXT + b"#" * PROTOTXT_MAX})},
        {"prototxt_url": GIST},
        f"more than the {PROTOTXT_MAX}",
    ),
    "gist unpacking to more than a gist holds": Case(
        {"gist.zip": zipped({f"g/{i}.prototxt": b"#" * (PROTOTXT_MAX - 1) for i in range(5)})},
        {"prototxt_url": GIST},
        f"more than a gist holds ({GIST_TOTAL_MAX})",
    ),
    "gist whose prototxt is a web page": Case(
        {"gist.zip": zipped({"g/deploy.prototxt": PORTAL, "g/readme.md": readme(sha1(WEIGHTS))})},
        {"prototxt_url": GIST},
        "web page (HTML)",
    ),
    "tarball member bigger than a prototxt can be": Case(
        {"t.tar.gz": tarred({"t/deploy.protxt": b"#" * (PROTOTXT_MAX + 1)})},
        {"prototxt_url": "http://models.example.invalid/t.tar.gz", "prototxt_member": "t/deploy.protxt"},
        f"more than the {PROTOTXT_MAX}",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_what_is_not_the_file_is_never_kept_and_the_next_run_downloads_again(
    name: str, server: LoopbackServer, isolated_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    monkeypatch.setenv("DEEPDREAM_ZOO_MIRROR", f"{server.url}/zoo/")
    server.served.files |= {f"/zoo/tiny/{file}": data for file, data in case.served.items()}
    entry = an_entry(**case.entry)
    with pytest.raises(ZooError) as raised:
        ensure_model("tiny", entry=entry)
    assert case.refusal in str(raised.value) and "\n" not in str(raised.value)
    folder = isolated_store / "models" / "tiny"
    left = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    # Nothing that failed stays; a good prototxt fetched before the failure may (it is checked again next run).
    assert all(p in ("deploy.prototxt",) for p in left), left
    if "deploy.prototxt" in left:
        assert (folder / "deploy.prototxt").read_bytes() == PROTOTXT
    # The mirror is fixed: the same call now fetches a working model.
    weights = weights_of_prototxt() if entry.sha1 is None else WEIGHTS
    server.served.files = {
        "/zoo/tiny/deploy.prototxt": PROTOTXT,
        "/zoo/tiny/tiny.caffemodel": weights,
        "/zoo/tiny/gist.zip": zipped({"g/deploy.prototxt": PROTOTXT}),
        "/zoo/tiny/readme.md": readme(sha1(weights)),
        "/zoo/tiny/t.tar.gz": tarred({"t/deploy.protxt": PROTOTXT}),
    }
    files = ensure_model("tiny", entry=entry)
    assert files.prototxt.read_bytes() == PROTOTXT and files.caffemodel.read_bytes() == weights


def test_a_web_page_saved_by_an_older_version_is_downloaded_again(
    server: LoopbackServer, isolated_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = isolated_store / "models" / "tiny"
    folder.mkdir(parents=True)
    (folder / "deploy.prototxt").write_bytes(PORTAL)
    (folder / "tiny.caffemodel").write_bytes(PORTAL)
    monkeypatch.setenv("DEEPDREAM_ZOO_MIRROR", f"{server.url}/zoo/")
    server.served.files |= {"/zoo/tiny/deploy.prototxt": PROTOTXT, "/zoo/tiny/tiny.caffemodel": weights_of_prototxt()}
    files = ensure_model("tiny", entry=an_entry(sha1=None))
    assert files.prototxt.read_bytes() == PROTOTXT
    assert files.caffemodel.read_bytes() == weights_of_prototxt()
