"""A single-picture run cancelled through the runner: it stops between two layers, keeps the layers written (the
same pixels as an uninterrupted run's) and ends ``interrupted``, as a video run does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from deepdream_torch.dreaming.settings import DreamSettings, Runtime
from deepdream_torch.picture.single import PictureInterrupted
from deepdream_torch.runner import Cancel, Dreaming, DreamRecipe, PictureRun, Started, Stopped, run
from tests.dreaming.dream_nets import NETS, random_net

pytestmark = pytest.mark.usefixtures("one_thread")

LAYERS = ("conv1", "pool1", "conv2")


class Recording:
    """Keeps every event; cancels once a step of the second layer comes (the first one is written by then)."""

    def __init__(self, cancel: Cancel | None = None) -> None:
        self.events: list[tuple[str, Any]] = []
        self.cancel = cancel

    def started(self, event: Started) -> None:
        self.events.append(("started", event))

    def frame_done(self, event: Any) -> None:
        self.events.append(("frame", event))

    def note(self, level: int, message: str) -> None:
        self.events.append(("note", message))

    def step(self, step: Any) -> None:
        if self.cancel is not None and step.finished == 1:
            self.cancel.cancel()  # as a web page's stop button would, while the second layer dreams

    def finished(self, result: Any) -> None:
        self.events.append(("finished", result))

    def interrupted(self, event: Stopped) -> None:
        self.events.append(("interrupted", event))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events if kind != "note"]


def read(path: Path) -> np.ndarray:
    with Image.open(path) as opened:
        return np.asarray(opened.convert("RGB"))


def layer_files(folder: Path) -> dict[str, Path]:
    return {layer: path for layer in LAYERS for path in folder.glob(f"dream_cat_L-{layer}_*.png")}


@pytest.fixture
def job(tmp_path: Path) -> PictureRun:
    picture = tmp_path / "cat.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(picture)
    net = random_net(NETS / "tiny.prototxt", tmp_path)
    recipe = DreamRecipe(DreamSettings(octaves=2, iterations=2, jitter=4), Runtime(device="cpu"), seed=3)
    return PictureRun(picture, Dreaming(net, LAYERS, recipe), tmp_path / "whole", image_type="png", batch_size=1)


def test_a_cancelled_picture_stops_between_layers_and_keeps_what_it_wrote(job: PictureRun, tmp_path: Path) -> None:
    whole = Recording()
    run(job, whole)
    assert whole.kinds() == ["started", "finished"]
    uninterrupted = layer_files(tmp_path / "whole")
    assert list(uninterrupted) == list(LAYERS)

    cancel = Cancel()
    seen = Recording(cancel)
    parts = PictureRun(job.picture, job.dreaming, tmp_path / "parts", image_type="png", batch_size=1)
    with pytest.raises(PictureInterrupted) as stopped:
        run(parts, seen, cancel)
    # The layer in flight when the cancel came is finished and written; the third is never dreamed.
    assert seen.kinds() == ["started", "interrupted"]
    said = seen.events[-1][1]
    assert said.done == 2 == stopped.value.done and said.partial is None
    assert "2 of 3 layers" in said.message
    written = layer_files(tmp_path / "parts")
    assert list(written) == ["conv1", "pool1"]
    for layer, path in written.items():
        np.testing.assert_array_equal(read(path), read(uninterrupted[layer]))
    assert not list((tmp_path / "parts").glob("contact_sheet*"))


def test_a_picture_cancelled_before_it_starts_writes_nothing(job: PictureRun, tmp_path: Path) -> None:
    cancel = Cancel()
    cancel.cancel()
    seen = Recording()
    with pytest.raises(PictureInterrupted) as stopped:
        run(job, seen, cancel)
    assert stopped.value.done == 0 and seen.kinds() == ["started", "interrupted"]
    assert not list((tmp_path / "whole").iterdir())
