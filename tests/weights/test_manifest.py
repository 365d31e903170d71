import re
from pathlib import Path

import pytest

from deepdream_torch.weights.errors import ZooError
from deepdream_torch.weights.manifest import parse_manifest, zoo_entry, zoo_models
from deepdream_torch.weights.readme import readme_facts

# The original's mode-4 menu, in its order, then the Places GoogLeNets.
ORIGINAL_MENU = [
    "bvlc_googlenet", "bvlc_reference_caffenet", "finetune_flickr_style", "bvlc_reference_rcnn_ilsvrc13",
    "bvlc_alexnet", "hed_pretrained_bsds", "VGG16_SalObjSub", "VGG_ILSVRC_19_layers", "GoogleNet_SOD_finetune",
    "VGG_CNN_F", "fcn-8s-pascal", "VGG_VOC2012ext", "VGG_CNN_S", "VGG_CNN_M_128", "naacl15_pool_vgg_fc7_mean_fac2",
    "VGG_CNN_M_1024", "yearbook_cleaned", "VGG_CNN_M_2048", "gender_net", "nin_imagenet",
    "VGG_ILSVRC_16_layers_fc_reduced", "VGG_CNN_M", "googlenet_finetune_web_car_iter_10000", "KevinNet_CIFAR10_48",
    "VGG16_SOD_finetune", "s2s_vgg_pstream_allvocab_fac2_iter_16000", "GoogleNet_SOS", "AlexNet_SalObjSub",
    "cifar10_nin", "EmotiW_VGG_S", "VGG_ILSVRC_16_layers",
]  # fmt: skip
PLACES = ["googlenet_places205", "googlenet_places365"]
SHARED_MODELS = ORIGINAL_MENU[:5]


def test_every_model_of_the_original_menu_and_the_places_googlenets_in_order() -> None:
    assert list(zoo_models()) == ORIGINAL_MENU + PLACES


@pytest.mark.parametrize("name", ORIGINAL_MENU + PLACES)
def test_entries_are_typed_and_say_where_the_files_come_from(name: str) -> None:
    entry = zoo_models()[name]
    assert entry.name == name and entry.caffemodel == f"{name}.caffemodel" and entry.title
    for url in (entry.caffemodel_url, entry.prototxt_url, entry.readme_url):
        assert url is None or re.fullmatch(r"https?://\S+", url)
    # A model needs somewhere to get its weights: a published address or a readme that gives one.
    assert entry.caffemodel_url or entry.readme_url or entry.gist
    assert entry.sha1 is None or re.fullmatch(r"[0-9a-f]{40}", entry.sha1)
    assert entry.mean_bgr is None or (len(entry.mean_bgr) == 3 and all(90 < v < 130 for v in entry.mean_bgr))
    assert all(isinstance(layer, str) and layer for layer in entry.dream_layers)
    assert entry.gist is None or re.fullmatch(r"[\w-]+/[0-9a-f]{20,32}", entry.gist)
    # An archive member only makes sense with an archive address.
    if entry.caffemodel_member:
        assert entry.caffemodel_url and entry.caffemodel_url.endswith(".tar.gz")


@pytest.mark.parametrize("name", SHARED_MODELS)
def test_manifest_facts_agree_with_the_published_readmes(shared: Path, name: str) -> None:
    facts = readme_facts((shared / "models" / name / "readme.md").read_text())
    entry = zoo_entry(name)
    assert entry.caffemodel == facts.caffemodel
    assert entry.caffemodel_url == facts.caffemodel_url
    assert entry.sha1 == facts.sha1
    assert entry.license == facts.license
    if facts.gist_id:
        assert entry.gist is not None and entry.gist.endswith("/" + facts.gist_id)


@pytest.mark.parametrize("name", SHARED_MODELS)
def test_dream_layers_are_blobs_of_the_models_deploy_prototxt(shared: Path, name: str) -> None:
    text = (shared / "models" / name / "deploy.prototxt").read_text()
    tops = set(re.findall(r'top:\s*"([^"]+)"', text))
    assert zoo_entry(name).dream_layers
    assert set(zoo_entry(name).dream_layers) <= tops


def test_the_googlenet_default_layers_are_the_original_customloop_going_up() -> None:
    assert zoo_entry("bvlc_googlenet").dream_layers[0] == "inception_4c/output"
    assert zoo_entry("bvlc_googlenet.caffemodel").dream_layers[-1] == "inception_5b/output"


def test_an_unknown_name_suggests_close_ones_in_one_line() -> None:
    with pytest.raises(ZooError) as raised:
        zoo_entry("bvlc_googlnet")
    assert "did you mean bvlc_googlenet" in str(raised.value)
    with pytest.raises(ZooError, match="known models: AlexNet_SalObjSub, bvlc_alexnet"):
        zoo_entry("zzzz")


VALID = {
    "title": '"t"',
    "caffemodel_url": '"unknown"',
    "sha1": '"unknown"',
    "prototxt_url": '"unknown"',
    "license": '"x"',
    "mean_bgr": '"unknown"',
    "dream_layers": '"unknown"',
}


def manifest_with(**changes: str | None) -> str:
    fields = {**VALID, **changes}
    return "[models.m]\n" + "".join(
        f"{key} = {value}\n" for key, value in fields.items() if value is not None
    )


def test_a_valid_entry_parses() -> None:
    assert parse_manifest(manifest_with())["m"].caffemodel == "m.caffemodel"


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"sha1": '"ABC"'}, "m.sha1 must be"),
        ({"mean_bgr": "[1, 2]"}, "m.mean_bgr"),
        ({"dream_layers": "[]"}, "m.dream_layers"),
        ({"caffemodel_url": None}, "m.caffemodel_url"),
        ({"shas": '"typo"'}, "unknown fields"),
    ],
)
def test_malformed_entries_are_refused_naming_the_field(
    changes: dict[str, str | None], complaint: str
) -> None:
    with pytest.raises(ZooError, match=complaint):
        parse_manifest(manifest_with(**changes))


def test_unknown_facts_read_as_none() -> None:
    entry = zoo_entry("VGG_CNN_S")
    assert entry.sha1 is None and entry.mean_bgr is None and entry.dream_layers == ()
    assert entry.readme_url is not None  # where the downloader looks for them
