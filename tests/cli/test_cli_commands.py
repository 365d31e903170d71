"""The subcommands (convert, layers, demo), verbosity, and the original flags on the original tool's sample video."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import torch

from deepdream_torch.cli import demo
from deepdream_torch.net.load import load_caffe
from tests.cli.cli_helpers import decoded_frames, run, write_model

TINY = ["-p", "models/tiny", "-m", "tiny.caffemodel"]


@pytest.fixture
def tiny(workdir: Path) -> Path:
    return write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv"), ("mixed/conv2", "conv")])


def test_convert_writes_weights_and_an_onnx_graph_that_onnxruntime_agrees_with(tiny: Path) -> None:
    ort = pytest.importorskip("onnxruntime")
    from safetensors.torch import load_file

    result = run(
        "convert", str(tiny / "deploy.prototxt"), str(tiny / "tiny.caffemodel"),
        "-o", "out/tiny.safetensors", "--onnx", "out/tiny.onnx", "--until", "mixed/conv2",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    net = load_caffe(tiny / "deploy.prototxt", tiny / "tiny.caffemodel")
    weights = load_file("out/tiny.safetensors")
    assert weights.keys() == net.state_dict().keys()
    assert all(torch.equal(weights[k], v) for k, v in net.state_dict().items())

    x = np.random.default_rng(0).normal(0, 50, (1, 3, 40, 52)).astype(np.float32)  # not the declared 48x64
    session = ort.InferenceSession("out/tiny.onnx", providers=["CPUExecutionProvider"])
    (onnx_blob,) = session.run(None, {"data": x})
    with torch.no_grad():
        torch_blob = net(torch.from_numpy(x), outputs=["mixed/conv2"])["mixed/conv2"].numpy()
    np.testing.assert_allclose(onnx_blob, torch_blob, rtol=1e-4, atol=1e-3)


def test_layers_lists_blobs_with_shapes_like_mode_5(tiny: Path) -> None:
    listed = run("layers", *TINY)
    mode5 = run("--mode", "5", *TINY)
    assert listed.exit_code == mode5.exit_code == 0
    assert listed.stdout == mode5.stdout
    rows = [line.split("│")[1:4] for line in listed.stdout.splitlines() if line.count("│") >= 4]
    assert [(n.strip(), b.strip(), s.strip()) for n, b, s in rows] == [
        ("0", "data", "3×48×64"),
        ("1", "conv1", "6×48×64"),
        ("2", "conv1_relu", "6×48×64"),
        ("3", "mixed/conv2", "6×48×64"),
        ("4", "mixed/conv2_relu", "6×48×64"),
    ]


@pytest.mark.usefixtures("tiny")
def test_verbose_2_shows_each_frame_and_verbose_1_does_not(clip: Path) -> None:
    assert run("--mode", "1", "-e", str(clip)).exit_code == 0
    args = ["--mode", "2", "-e", str(clip), *TINY, "-l", "conv1", "mixed/conv2", "-itr", "2"]
    detailed = run(*args, "-v", "2", "--restart")
    quiet = run(*args, "-v", "1", "--restart")
    assert detailed.exit_code == quiet.exit_code == 0
    assert "frame 1: " in detailed.stderr and "frame 1: " not in quiet.stderr
    assert "frames: data/output_frames/my_video (6 frames)" in quiet.stdout


@pytest.mark.usefixtures("googlenet")
def test_demo_makes_a_sample_clip_and_dreams_it_with_mode_0(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = []
    monkeypatch.setattr(demo, "run_flags", asked.append)
    result = run("demo", "--device", "cpu")
    assert result.exit_code == 0, result.output
    (flags,) = asked
    assert (flags.mode, flags.extract, flags.device) == (0, demo.SAMPLE_CLIP, "cpu")
    assert flags.model_path == Path("models/bvlc_googlenet").absolute()
    assert flags.layers == ("customloop",) and flags.iterations == 10  # the original's look
    frames = decoded_frames(demo.SAMPLE_CLIP)
    assert frames.shape == (24, 180, 320, 3) and frames.std() > 20  # a couple of seconds of a real pattern


@pytest.mark.usefixtures("googlenet")
def test_demo_with_an_input_dreams_that_clip_into_data(clip: Path) -> None:
    result = run("demo", "--input", str(clip), "-v", "1")
    assert result.exit_code == 0, result.output
    (video,) = Path("data/dream_video").glob("my_video-DeepDream__*.mp4")
    assert f"video: {video}" in result.stdout
    assert decoded_frames(video).shape[0] == 6


@pytest.mark.usefixtures("tiny")
def test_start_and_end_frames_on_the_original_sample_video_keep_its_audio(shared: Path) -> None:
    lions = shared / "media/lions_small_b75.mkv"
    extracted = run("--mode", "1", "-e", str(lions), "-sf", "5", "-ef", "7", "-it", "png")
    assert extracted.exit_code == 0, extracted.output
    assert sorted(p.name for p in Path("data/input_frames/lions_small_b75").iterdir()) == [
        "00000005.png", "00000006.png", "00000007.png",
    ]  # fmt: skip

    dreamed = run("-e", str(lions), "-ef", "3", *TINY, "-l", "conv1", "-oct", "2", "-itr", "2", "-v", "1")
    assert dreamed.exit_code == 0, dreamed.output
    (video,) = Path("data/dream_video").glob("lions_small_b75-DeepDream__*.mp4")
    assert decoded_frames(video).shape == (3, 180, 320, 3)
    with av.open(str(video)) as container:
        assert len(container.streams.audio) == 1
