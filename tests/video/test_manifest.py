"""The settings manifest of a frames folder, without a net: when a rerun may resume, and what its refusal says."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.manifest import SettingsChanged, check_settings, read_record, record_settings

SETTINGS = {"model": "a" * 40, "layers": ["conv1"], "iterations": 10, "octaves": 4, "seed": 0, "blend": 0.5}


def frames_folder(tmp_path: Path, settings: dict | None, frames: int) -> Path:
    folder = tmp_path / "frames"
    folder.mkdir()
    for number in range(1, frames + 1):
        (folder / f"dream_frame_{number:08d}.jpg").write_bytes(b"jpeg")
    if settings is not None:
        record_settings(folder, settings, done=frames, total=frames)
    return folder


@pytest.mark.parametrize(
    ("recorded", "frames", "new", "restart", "outcome"),
    [
        (SETTINGS, 3, SETTINGS, False, "resume"),
        (SETTINGS, 3, dict(SETTINGS, layers=("conv1",)), False, "resume"),  # a tuple reads back as a list
        (SETTINGS, 3, dict(SETTINGS, iterations=6), False, "iterations: 10 → 6"),
        (SETTINGS, 3, dict(SETTINGS, model="b" * 40), False, "model: sha1 aaaaaaaaaa → sha1 bbbbbbbbbb"),
        (SETTINGS, 3, dict(SETTINGS, flow="dis"), False, "flow: (none) → dis"),  # a setting added later
        (SETTINGS, 3, dict(SETTINGS, iterations=6), True, "start over"),
        (
            SETTINGS,
            0,
            dict(SETTINGS, iterations=6),
            False,
            "start over",
        ),  # no frame to mix in: nothing refused
        (None, 3, SETTINGS, False, "no record of the settings"),
        (None, 3, SETTINGS, True, "start over"),
        (None, 0, SETTINGS, False, "resume"),
    ],
)
def test_a_rerun_resumes_only_frames_of_its_own_settings(tmp_path, recorded, frames, new, restart, outcome):
    folder = frames_folder(tmp_path, recorded, frames)
    if outcome in ("resume", "start over"):
        assert check_settings(folder, new, restart) is (outcome == "resume")
        return
    with pytest.raises(SettingsChanged) as refused:
        check_settings(folder, new, restart)
    message = str(refused.value)
    assert outcome in message and "--restart" in message and "\n" not in message


def test_a_refusal_names_a_few_settings_and_counts_the_rest(tmp_path):
    folder = frames_folder(tmp_path, SETTINGS, 2)
    changed = dict(SETTINGS, layers=["conv2"], iterations=1, octaves=1, seed=5, blend="loop")
    with pytest.raises(
        SettingsChanged, match=r"layers: conv1 → conv2; iterations: 10 → 1; octaves: 4 → 1; and 2 more"
    ):
        check_settings(folder, changed, restart=False)
    assert read_record(folder).settings == SETTINGS  # a refusal records nothing


@pytest.mark.parametrize("done", ['"many"', "null", "[1]"])
def test_a_manifest_with_a_count_that_is_not_a_number_is_refused_in_one_line(tmp_path, done):
    folder = frames_folder(tmp_path, SETTINGS, 1)
    manifest = folder / "deepdream_settings.json"
    manifest.write_text(manifest.read_text().replace('"done": 1', f'"done": {done}'))
    with pytest.raises(VideoError, match="is not a settings manifest: delete it"):
        read_record(folder)
