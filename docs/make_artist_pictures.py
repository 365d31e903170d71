"""Make the README's artist pictures: a zoom frame strip and a channel-objective contact sheet.

open_nsfw (the real trained ResNet-50 in ../shared/models) on ../shared/media/hulk.jpg at a small size, on the CPU:

    python docs/make_artist_pictures.py      # writes docs/zoom_strip.png and docs/channels_sheet.png
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cv2
import numpy as np
import torch

from deepdream_torch import dream, load_caffe
from deepdream_torch.dreaming.layers import default_layers
from deepdream_torch.dreaming.objectives import channels, l2
from deepdream_torch.dreaming.settings import DreamSettings
from deepdream_torch.picture.contact_sheet import contact_sheet
from deepdream_torch.picture.zoom import Camera, dream_zoom
from deepdream_torch.video.images import read_image

DOCS = Path(__file__).resolve().parent
SHARED = DOCS.parents[1] / "shared"
MODEL = SHARED / "models/open_nsfw"
MEAN = (104.0, 117.0, 123.0)  # open_nsfw was trained with ImageNet's mean
WIDTH = 256


def main() -> None:
    torch.set_num_threads(2)
    net = load_caffe(MODEL / "deploy.prototxt", MODEL / "resnet_50_1by2_nsfw.caffemodel")
    (layer,), _ = default_layers(net)
    bgr = cv2.imread(str(SHARED / "media/hulk.jpg"))
    height = round(bgr.shape[0] * WIDTH / bgr.shape[1])
    picture = cv2.resize(bgr, (WIDTH, height), interpolation=cv2.INTER_AREA)[:, :, ::-1].copy()
    settings = DreamSettings(octaves=3, iterations=6, jitter=16, mean=MEAN)

    with tempfile.TemporaryDirectory() as tmp:
        frames = 8
        dream_zoom(
            picture, net, Path(tmp) / "frames", Path(tmp) / "zoom.mp4", frames, [layer],
            Camera(zoom=1.08, rotate=1.5), settings=settings, device="cpu", seed=0, image_type="png",
        )  # fmt: skip
        tiles = [("hulk.jpg", picture)]
        for number in (1, 2, 4, 6, 8):
            tiles.append((f"frame {number}", read_image(Path(tmp) / "frames" / f"dream_frame_{number:08d}.png")))
    contact_sheet(tiles, columns=len(tiles)).save(DOCS / "zoom_strip.png")

    common = {"octaves": 3, "iterations": 8, "jitter": 16, "mean": MEAN, "device": "cpu", "seed": 0}
    sheet = [("hulk.jpg", picture), (f"l2 {layer}", dream(picture, net, layer, **common))]
    for picked in ([7], [42], [100], [7, 42, 100]):
        objective = channels(layer, picked)
        sheet.append((f"channels {','.join(map(str, picked))}", dream(picture, net, objective=objective, **common)))
    mixed = channels(layer, [42]) + 0.2 * l2(layer)
    sheet.append(("channel 42 + 0.2 x l2", dream(picture, net, objective=mixed, **common)))
    contact_sheet(sheet, columns=4).save(DOCS / "channels_sheet.png")
    print(f"wrote {DOCS / 'zoom_strip.png'} and {DOCS / 'channels_sheet.png'} ({layer}; {np.prod(picture.shape[:2])} px)")


if __name__ == "__main__":
    main()
