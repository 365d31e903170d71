"""Single-picture mode: a file per layer, batching and chaining, the contact sheet, progress and errors."""

import re

import numpy as np
import pytest
from PIL import Image

from deepdream_torch import dream, load_caffe
from deepdream_torch.dreaming.errors import DreamError
from deepdream_torch.dreaming.layers import CUSTOMLOOP
from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.net.random_weights import write_random_caffemodel
from deepdream_torch.picture.single import PictureOptions, dream_single_picture

CPU = Runtime(device="cpu")

SETTINGS = DreamSettings(octaves=2, iterations=2, jitter=4)


def read(path):
    with Image.open(path) as opened:
        return np.asarray(opened.convert("RGB"))


def test_one_file_per_distinct_layer_each_dreamed_from_the_original(tiny_net, picture_file, tmp_path):
    out = tmp_path / "out"
    result = dream_single_picture(
        picture_file, tiny_net, ["conv2", "conv1", "conv2"], PictureOptions(out, "png", seed=5), settings=SETTINGS,
        runtime=CPU,
    )
    assert list(result.pictures) == ["conv2", "conv1"]  # the repeated layer is dreamed once
    pattern = r"dream_cat_L-{}_i-2_o-2_os-1.4_ss-1.5_j-4_\(\d+sec\)\.png"
    for layer, path in result.pictures.items():
        assert path.parent == out and re.fullmatch(pattern.format(layer), path.name), path.name
    original = read(picture_file)
    for k, (layer, path) in enumerate(result.pictures.items()):
        alone = dream(original, tiny_net, layer, octaves=2, iterations=2, jitter=4, seed=5 + k, device="cpu")
        assert np.abs(read(path).astype(int) - alone).max() <= 1
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(p.name for p in result.pictures.values()), "contact_sheet_i-2_o-2_os-1.4_ss-1.5_j-4.jpg"]
    )
    assert result.contact_sheet == out / "contact_sheet_i-2_o-2_os-1.4_ss-1.5_j-4.jpg"
    with Image.open(result.contact_sheet) as sheet:
        assert sheet.format == "JPEG" and sheet.size == (6 + 2 * 326, 6 + 2 * (240 + 22 + 6))  # 3 tiles


def test_batching_layers_changes_no_result(tiny_net, picture_file, tmp_path):
    def dreamed(folder, batch_size):
        options = PictureOptions(tmp_path / folder, "png", seed=1, batch_size=batch_size)
        return dream_single_picture(picture_file, tiny_net, ["conv2", "conv1"], options, settings=SETTINGS, runtime=CPU)

    one = dreamed("one", 1)
    both = dreamed("both", 2)
    for layer in ("conv2", "conv1"):
        assert np.abs(read(one.pictures[layer]).astype(int) - read(both.pictures[layer])).max() <= 1


def test_chain_dreams_each_layer_from_the_previous_result(tiny_net, picture_file, tmp_path):
    layers = ["conv2", "conv1"]
    options = PictureOptions(tmp_path, "png", seed=3, chain=True)
    result = dream_single_picture(picture_file, tiny_net, layers, options, settings=SETTINGS, runtime=CPU)
    first = read(result.pictures["conv2"])
    expected = dream(first, tiny_net, "conv1", octaves=2, iterations=2, jitter=4, seed=4, device="cpu")
    assert np.abs(read(result.pictures["conv1"]).astype(int) - expected).max() <= 1


def test_default_folder_is_data_single_pictures_and_jpeg(tiny_net, picture_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = dream_single_picture(picture_file, tiny_net, ["conv1"], settings=SETTINGS, runtime=CPU)
    assert result.out_dir == tmp_path.joinpath("data", "single_pictures", "cat").relative_to(tmp_path)
    (path,) = result.pictures.values()
    assert path.suffix == ".jpg" and (tmp_path / path).is_file()


def test_progress_runs_from_nothing_to_everything(tiny_net, picture_file, tmp_path):
    seen = []
    dream_single_picture(
        picture_file, tiny_net, ["conv2", "conv1"], PictureOptions(tmp_path, "png"), settings=SETTINGS, runtime=CPU,
        progress=seen.append,
    )
    fractions = [event.fraction for event in seen]
    assert len(seen) == 2 * 2 * 2  # layers x octaves x iterations
    assert fractions == sorted(fractions) and fractions[0] == pytest.approx(1 / 8) and fractions[-1] == 1.0
    assert [event.finished for event in seen] == [0] * 4 + [1] * 4


def test_clear_errors(tiny_net, picture_file, tmp_path):
    with pytest.raises(DreamError, match="unknown image type 'gif'"):
        dream_single_picture(picture_file, tiny_net, ["conv1"], PictureOptions(tmp_path, "gif"))
    with pytest.raises(DreamError, match="cannot read picture .*missing.jpg"):
        dream_single_picture(tmp_path / "missing.jpg", tiny_net, ["conv1"], PictureOptions(tmp_path))
    with pytest.raises(DreamError, match="unknown blob 'conv9'"):
        dream_single_picture(picture_file, tiny_net, ["conv1", "conv9"], PictureOptions(tmp_path / "x"), settings=SETTINGS)
    assert not (tmp_path / "x").exists()  # refused before any work, not after the first layer


def test_a_guide_file_is_read_once_for_all_layers(tiny_net, picture_file, tmp_path, picture_reads):
    guide = tmp_path / "guide.png"
    guide.write_bytes(picture_file.read_bytes())
    dream_single_picture(
        picture_file, tiny_net, ["conv1", "conv2"], PictureOptions(tmp_path / "out", batch_size=1), settings=SETTINGS,
        runtime=CPU, guide=guide,
    )
    assert picture_reads.count(guide) == 1


def test_the_default_customloop_on_googlenet(shared, tmp_path):
    prototxt = shared / "models" / "bvlc_googlenet" / "deploy.prototxt"
    net = load_caffe(prototxt, write_random_caffemodel(prototxt, tmp_path / "googlenet.caffemodel"))
    picture = tmp_path / "small.jpg"
    with Image.open(shared / "media" / "hulk.jpg") as hulk:
        hulk.resize((64, 36)).save(picture)
    result = dream_single_picture(
        picture, net, options=PictureOptions(tmp_path / "out"), settings=DreamSettings(octaves=2, iterations=1), runtime=CPU
    )
    assert list(result.pictures) == list(
        CUSTOMLOOP[:5]
    )  # 4c, 4d, 4e, 5a, 5b; the way back down is not redone
    names = sorted(path.name for path in result.pictures.values())
    assert [name.split("_i-")[0] for name in names] == [
        f"dream_small_L-inception_{block}-output" for block in ("4c", "4d", "4e", "5a", "5b")
    ]
    with Image.open(result.contact_sheet) as sheet:
        assert sheet.size == (6 + 3 * 326, 6 + 2 * (180 + 22 + 6))  # 6 tiles, 36 * 320 / 64 = 180 high
