from pathlib import Path

import pytest

from deepdream_torch.weights.readme import front_matter, readme_facts

SHARED_MODELS = [
    "bvlc_googlenet",
    "bvlc_alexnet",
    "bvlc_reference_caffenet",
    "finetune_flickr_style",
    "bvlc_reference_rcnn_ilsvrc13",
]


@pytest.mark.parametrize("name", SHARED_MODELS)
def test_the_zoo_readmes_front_matter(shared: Path, name: str) -> None:
    facts = readme_facts((shared / "models" / name / "readme.md").read_text())
    assert facts.caffemodel == f"{name}.caffemodel"
    assert facts.caffemodel_url == f"http://dl.caffe.berkeleyvision.org/{name}.caffemodel"
    assert facts.sha1 is not None and len(facts.sha1) == 40


def test_the_googlenet_readme_exactly(shared: Path) -> None:
    pairs = front_matter((shared / "models" / "bvlc_googlenet" / "readme.md").read_text())
    assert pairs["sha1"] == "405fc5acd08a3bb12de8ee5e23a96bec22f08204"
    assert pairs["license"] == "unrestricted"
    assert pairs["name"] == "BAIR/BVLC GoogleNet Model"
    # Body text after the closing fence is not front matter.
    assert "this_model_was_trained_by_sergio_guadarrama_@sguada" not in pairs


def test_facts_written_without_fences_as_many_gists_did() -> None:
    text = """##Information

name: a made-up model

caffemodel: MADE_UP

caffemodel_url: http://example.invalid/MADE_UP.caffemodel

license: non-commercial use only

caffemodel url: http://example.invalid/other

## Description
See http://example.invalid/page for more.
"""
    facts = readme_facts(text)
    assert facts.caffemodel == "MADE_UP"
    assert facts.caffemodel_url == "http://example.invalid/MADE_UP.caffemodel"
    assert facts.license == "non-commercial use only"
    assert facts.sha1 is None


def test_fenced_facts_win_over_the_same_keys_in_the_body() -> None:
    text = "# Title\n---\nsha1: " + "ab" * 20 + "\n---\nsha1: " + "cd" * 20 + "\ngist_id: 123\n"
    facts = readme_facts(text)
    assert facts.sha1 == "ab" * 20
    assert facts.gist_id == "123"


def test_a_malformed_sha1_is_no_sha1() -> None:
    assert readme_facts("---\nsha1: not-a-sha\n---\n").sha1 is None
