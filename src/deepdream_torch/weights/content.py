"""What a downloaded file may weigh and must look like before it is kept.

A captive portal or a host's error page arrives as HTTP 200 with an HTML body; stored as `deploy.prototxt`,
`readme.md` or a `.caffemodel` it would break every later run. So each kind of file has a size limit (generous:
the biggest zoo caffemodel, VGG-19, is 548 MB) and a check run on the downloaded bytes before they are renamed
into place: the prototxt must parse, the readme must have download facts, the caffemodel must fit its net.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from deepdream_torch.caffe.errors import CaffeFormatError
from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.readme import front_matter

MIB = 1 << 20
GIB = 1 << 30
CAFFEMODEL_MAX = 1 * GIB
ARCHIVE_MAX = 2 * GIB  # a published tarball holding a caffemodel
PROTOTXT_MAX = 8 * MIB  # ResNet-152's deploy.prototxt is 0.2 MB
README_MAX = 1 * MIB
GIST_MAX = 16 * MIB  # a gist zip: prototxts and a readme
GIST_TOTAL_MAX = 32 * MIB  # everything kept from one gist, unpacked
GIST_MEMBERS_MAX = 200

# The facts Caffe's download_model_binary.py read from a readme's front matter.
README_KEYS = ("name", "caffemodel", "caffemodel_url", "sha1", "gist_id", "license")

Check = Callable[[Path], None]


def looks_like_html(path: Path) -> bool:
    """Whether the file starts like a web page (no prototxt, caffemodel, zip or tar can start with `<`)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def check_not_html(path: Path) -> None:
    if looks_like_html(path):
        raise ZooError("it is a web page (HTML), not the file (a login page of the network, or the host's error page)")


def check_prototxt(path: Path) -> None:
    """The file parses as a Caffe net description."""
    from deepdream_torch.caffe.prototxt import read_prototxt

    check_not_html(path)
    try:
        read_prototxt(path)
    except CaffeFormatError as error:
        raise ZooError(f"it is not a Caffe net description ({error})") from error


def check_readme(path: Path) -> None:
    """The file is a model-zoo readme: text with at least one of the download facts in its front matter."""
    check_not_html(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    if not set(front_matter(text)) & set(README_KEYS):
        raise ZooError(f"it has none of the readme facts ({', '.join(README_KEYS)})")


def caffemodel_check(prototxt: Path) -> Check:
    """A check that a downloaded caffemodel holds weights that fit the net of ``prototxt`` (used when no sha1 is
    published, so that the bytes are checked by what they are)."""

    def check(path: Path) -> None:
        from deepdream_torch.net.load import load_caffe

        check_not_html(path)
        try:
            load_caffe(prototxt, path)
        except CaffeFormatError as error:
            raise ZooError(f"its weights do not fit {prototxt.name} ({error})") from error

    return check
