"""What a downloaded file must look like to be kept: a web page never passes for a prototxt, readme or caffemodel."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdream_torch.weights.content import caffemodel_check, check_prototxt, check_readme, looks_like_html
from deepdream_torch.weights.errors import ZooError
from tests.weights.test_fetch import PROTOTXT, weights_of_prototxt

BVLC_README = b"""---
name: BAIR/BVLC GoogleNet Model
caffemodel: bvlc_googlenet.caffemodel
caffemodel_url: http://dl.caffe.berkeleyvision.org/bvlc_googlenet.caffemodel
license: unrestricted
sha1: 405fc5acd08a3bb12de8ee5e23a96bec22f08204
caffe_commit: bc614d1bd91896e3faceaf40b23b72dab47d44f5
---

This model is a replication of the model described in the GoogleNet publication.
"""
PAGE = b"\xef\xbb\xbf  \n<!DOCTYPE html><html><head><title>404</title></head><body>sha1: 0</body></html>"

# (file content, the check, refused with these words or None when it passes)
CASES = {
    "a BVLC readme": (BVLC_README, check_readme, None),
    "a readme that is a web page": (PAGE, check_readme, "web page"),
    "a text without readme facts": (b"# My model\n\nNothing to see.\n", check_readme, "none of the readme facts"),
    "a deploy prototxt": (PROTOTXT, check_prototxt, None),
    "a prototxt that is a web page": (PAGE, check_prototxt, "web page"),
    "a solver, not a net": (b'net: "train_val.prototxt"\nbase_lr: 0.01\n', check_prototxt, "not a Caffe net"),
    "weights that fit the net": (None, "caffemodel", None),
    "a caffemodel that is a web page": (PAGE, "caffemodel", "web page"),
    "bytes that are no caffemodel": (b"\x0a\x05dummy" * 50, "caffemodel", "do not fit"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_kind_of_file_is_checked_by_what_it_is(name: str, tmp_path: Path) -> None:
    content, check, refusal = CASES[name]
    if check == "caffemodel":
        (tmp_path / "deploy.prototxt").write_bytes(PROTOTXT)
        check = caffemodel_check(tmp_path / "deploy.prototxt")
    path = tmp_path / "downloaded.part"
    path.write_bytes(weights_of_prototxt() if content is None else content)
    if refusal is None:
        check(path)
    else:
        with pytest.raises(ZooError, match=refusal):
            check(path)


def test_only_what_starts_like_a_web_page_looks_like_one(tmp_path: Path) -> None:
    for content, html in [(PAGE, True), (b"  <html>", True), (PROTOTXT, False), (weights_of_prototxt(), False)]:
        (tmp_path / "f").write_bytes(content)
        assert looks_like_html(tmp_path / "f") is html


def test_the_zoo_files_as_published_pass(shared: Path) -> None:
    """The real prototxts and readmes of the zoo (as a download brings them) are kept."""
    folders = sorted(p for p in (shared / "models").iterdir() if (p / "deploy.prototxt").is_file())
    assert folders
    for folder in folders:
        check_prototxt(folder / "deploy.prototxt")
        if (folder / "readme.md").is_file():
            check_readme(folder / "readme.md")
