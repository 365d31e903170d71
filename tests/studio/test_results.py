"""Results: a source's dreams as ``frames list`` knows them, served for playing, deleted only when they are dreams."""

from __future__ import annotations

from pathlib import Path

from tests.cli.cli_helpers import run
from tests.studio.conftest import post


def _dream_clip(tmp_path: Path, *flags: str) -> None:
    result = run("-e", "data/videos/clip.mp4", "-p", str(tmp_path / "models" / "tiny"), "-m", "tiny.caffemodel",
                 "-l", "inception_4c/output", "-oct", "1", "-itr", "1", *flags)
    assert result.exit_code == 0, result.output


def test_a_videos_dreams_are_its_frames_folders_with_their_settings(client, data: Path, tmp_path: Path) -> None:
    _dream_clip(tmp_path)
    _dream_clip(tmp_path, "-b", "0.8")
    dreams = client.get("/api/dreams", params={"source": "videos/clip.mp4"}).json()["dreams"]
    assert dreams[0]["name"] == "output_frames/clip" and dreams[1]["name"].startswith("output_frames/clip_")
    assert [d["settings"]["blend"] for d in dreams] == [0.5, 0.8]
    assert all(d["frames"] == 8 and d["complete"] and d["video"].startswith("dream_video/clip") for d in dreams)
    assert "b-0.8" in dreams[1]["described"]


def test_deleting_a_dream_removes_it_and_its_video_never_a_source(client, data: Path, tmp_path: Path) -> None:
    _dream_clip(tmp_path)
    (dream,) = client.get("/api/dreams", params={"source": "videos/clip.mp4"}).json()["dreams"]
    video = data / dream["video"]
    assert video.is_file()
    for source in ("videos/clip.mp4", "single_pictures/p.jpg", "videos", "output_frames", "dream_video"):
        answer = post(client, "/api/delete", {"name": source})
        assert answer.status_code == 403, source
    assert (data / "videos" / "clip.mp4").is_file() and (data / "single_pictures" / "p.jpg").is_file()
    assert post(client, "/api/delete", {"name": dream["name"]}).json() == {"deleted": "output_frames/clip"}
    assert not (data / "output_frames" / "clip").exists() and not video.exists()
    assert client.get("/api/dreams", params={"source": "videos/clip.mp4"}).json()["dreams"] == []
    assert (data / "videos" / "clip.mp4").is_file()


def test_a_pictures_dreams_are_the_files_in_its_folder(client, data: Path, tmp_path: Path) -> None:
    result = run("-sp", "data/single_pictures/p.jpg", "-p", str(tmp_path / "models" / "tiny"), "-m", "tiny.caffemodel",
                 "-l", "inception_4c/output", "-oct", "1", "-itr", "1")
    assert result.exit_code == 0, result.output
    dreams = client.get("/api/dreams", params={"source": "single_pictures/p.jpg"}).json()["dreams"]
    names = sorted(Path(d["name"]).name for d in dreams)
    assert len(names) == 2 and names[0].startswith("contact_sheet_") and names[1].startswith("dream_p_L-inception_4c")
    picture = next(d for d in dreams if "dream_p_" in d["name"])
    assert post(client, "/api/delete", {"name": picture["name"]}).status_code == 200
    assert not (data / picture["name"]).exists() and (data / "single_pictures" / "p.jpg").is_file()
