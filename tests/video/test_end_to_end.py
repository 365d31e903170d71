"""Mode 0 with the real dream: ``dream_batch`` on a tiny random-weights Caffe net."""

import numpy as np
import pytest

from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.video import dream_video, parse_blend
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.partial import Encoder
from tests.video.video_clips import cv2_frames, psnr, read_png

try:
    from deepdream_torch import dream_batch, load_caffe
    from deepdream_torch.net.random_weights import write_random_caffemodel
except ImportError as missing:  # pragma: no cover - only while the dream or net packages are being written
    pytest.skip(f"the real dream is not importable yet ({missing})", allow_module_level=True)

PROTOTXT = """
name: "tiny"
input: "data"
input_dim: 1
input_dim: 3
input_dim: 32
input_dim: 32
layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
  convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
layer { name: "conv2" type: "Convolution" bottom: "conv1" top: "conv2"
  convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
layer { name: "relu2" type: "ReLU" bottom: "conv2" top: "conv2" }
"""
SETTINGS = {"settings": DreamSettings(octaves=2, iterations=3, jitter=2), "runtime": Runtime(device="cpu"), "seed": 0}


@pytest.fixture
def net(tmp_path):
    prototxt = tmp_path / "tiny.prototxt"
    prototxt.write_text(PROTOTXT)
    return load_caffe(prototxt, write_random_caffemodel(prototxt, tmp_path / "tiny.caffemodel", seed=0))


def test_a_clip_dreamed_with_dream_batch(make_clip, tmp_path, net):
    source = make_clip("c.mp4", frames=8, audio="aac")
    calls = []

    def dreamer(frames, layers, numbers):
        calls.append(list(layers))
        return dream_batch(frames, net, layers, **SETTINGS)

    out = tmp_path / "o.mp4"
    result = dream_video(source, tmp_path / "f", out, dreamer, ["conv1", "conv2"], options=FrameOptions(blend=parse_blend("loop"), image_type="png", encoder=Encoder(crf=12)))
    assert result.dreamed == 8 and calls[:2] == [["conv1"], ["conv2"]]
    frames = cv2_frames(source)
    first = read_png(tmp_path / "f" / "dream_frame_00000001.png")
    # The first frame is dreamed as it is: the same as dreaming it alone, outside the video code.
    assert np.array_equal(first, dream_batch(frames[0][None], net, ["conv1"], **SETTINGS)[0])
    assert psnr(first, frames[0]) < 40  # the dream changed it
    video = cv2_frames(out)
    assert len(video) == 8
    for n in range(1, 9):
        assert psnr(video[n - 1], read_png(tmp_path / "f" / f"dream_frame_{n:08d}.png")) > 35
