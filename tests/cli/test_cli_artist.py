"""The artists' controls from the command line: zoom animation, channel objectives, previews, default layers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.cli.cli_helpers import PLACES_LIKE, decoded_frames, one_line_error, run, write_model, write_picture

FAST = ["-itr", "1", "-oct", "2", "-j", "2"]
PLACES = ["-p", "models/places", "-m", "places.caffemodel"]


@pytest.fixture
def hulk(workdir: Path) -> Path:
    return write_picture(workdir / "data/single_pictures/hulk.jpg", 64, 48)


@pytest.fixture
def places(workdir: Path) -> Path:
    """A model the zoo does not know, with AlexNet-like blob names (conv1 ... conv5, pools, norms)."""
    return write_model(workdir / "models/places", "places.caffemodel", PLACES_LIKE)


@pytest.mark.usefixtures("googlenet")
def test_the_done_when_command_makes_a_playable_zooming_mp4(hulk: Path) -> None:
    # deepdream -sp hulk.jpg --zoom-frames 48 --layers inception_4c/output, with 4 frames and 1 step per octave.
    result = run("-sp", str(hulk), "--zoom-frames", "4", "--layers", "inception_4c/output", *FAST, "--zoom-fps", "8")
    assert result.exit_code == 0, result.output
    video = Path("data/single_pictures/hulk/hulk_zoom.mp4")
    assert f"video: {video}" in result.stdout
    frames = decoded_frames(video)
    assert frames.shape == (4, 48, 64, 3)
    assert sorted(p.name for p in Path("data/single_pictures/hulk/zoom_frames").glob("*.jpg")) == [
        f"dream_frame_{n:08d}.jpg" for n in range(1, 5)
    ]
    # Zooming in 5% a frame: the centre of frame 4 is frame 3's centre magnified, never the same picture.
    assert all((frames[i].astype(int) - frames[i + 1]).__abs__().mean() > 1 for i in range(3))


@pytest.mark.usefixtures("googlenet")
def test_a_zoom_rerun_continues_after_the_finished_frames(hulk: Path) -> None:
    args = ["-sp", str(hulk), "--zoom-frames", "2", "--rotate", "3", "--pan", "1,-1", *FAST]
    assert run(*args).exit_code == 0
    more = run(*args[:3], "3", *args[4:])
    assert more.exit_code == 0, more.output
    assert "resuming after frame 2" in more.output
    assert len(decoded_frames(Path("data/single_pictures/hulk/hulk_zoom.mp4"))) == 3


@pytest.mark.usefixtures("googlenet")
def test_channels_name_the_files_and_keep_to_the_blob(hulk: Path) -> None:
    result = run("-sp", str(hulk), "-l", "inception_4c/output", "--channels", "1,3-4", *FAST)
    assert result.exit_code == 0, result.output
    names = [p.name for p in Path("data/single_pictures/hulk").iterdir()]
    assert any(n.startswith("dream_hulk_L-inception_4c-output_ch-1,3-4_i-1") for n in names), names
    line = one_line_error(run("-sp", str(hulk), "-l", "inception_4c/output", "--channels", "2,6", *FAST))
    assert "channel 6 is out of range for inception_4c/output: it has 6 channels" in line


@pytest.mark.usefixtures("googlenet")
def test_preview_of_a_picture_is_a_quarter_of_its_size_with_half_the_iterations(hulk: Path) -> None:
    result = run("-sp", str(hulk), "-l", "inception_4c/output", "inception_4d/output", "--preview", "-itr", "4")
    assert result.exit_code == 0, result.output
    previews = sorted(Path("data/single_pictures/hulk/preview").glob("dream_*.jpg"))
    assert len(previews) == 2
    assert all("_i-2_" in p.name for p in previews)  # 4 iterations become 2
    with Image.open(previews[0]) as picture:
        assert picture.size == (16, 12)
    assert not list(Path("data/single_pictures/hulk").glob("dream_*.jpg"))  # nothing beside the real results


@pytest.mark.usefixtures("googlenet")
def test_preview_of_a_video_dreams_every_nth_frame_into_its_own_folder(clip: Path) -> None:
    result = run("-e", str(clip), "--preview", "--preview-every", "2", "--preview-scale", "0.5", *FAST)
    assert result.exit_code == 0, result.output
    folder = Path("data/output_frames/my_video_preview")
    frames = sorted(p.name for p in folder.glob("dream_frame_*.jpg"))
    assert frames == ["dream_frame_00000001.jpg", "dream_frame_00000003.jpg", "dream_frame_00000005.jpg"]
    with Image.open(folder / frames[0]) as picture:
        assert picture.size == (32, 24)
    assert (folder / "contact_sheet.jpg").is_file()
    assert not Path("data/output_frames/my_video").exists() and not Path("data/dream_video").exists()


@pytest.mark.parametrize("mode", ["1", "2", "3"])
def test_preview_of_a_video_outside_mode_0_is_refused_before_the_model_is_fetched(clip: Path, mode: str) -> None:
    # No model here: mode 2 used to fetch (offline: fail to fetch) bvlc_googlenet before refusing; 1 and 3 ignored it.
    line = one_line_error(run("-e", str(clip), "--mode", mode, "--preview"))
    assert "--preview of a video needs the video itself" in line, line


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--zoom", "1.2", "--pan", "1,1"], ["--zoom, --pan only work with --zoom-frames"]),
        (["--rotate", "3"], ["--rotate only works with --zoom-frames"]),
        (["--zoom-fps", "8"], ["--zoom-fps only works with --zoom-frames"]),
        (["--preview-every", "3"], ["--preview-every only works with --preview"]),
        (["--preview-scale", "0.5"], ["--preview-scale only works with --preview"]),
        (["--channels-weight", "0.2"], ["--channels-weight only works with --channels"]),
        (["--flow-quality", "medium"], ["--flow-quality only works with --flow"]),
    ],
)
def test_a_companion_flag_without_its_flag_is_refused_not_ignored(hulk: Path, args: list[str], words: list[str]) -> None:
    line = one_line_error(run("-sp", str(hulk), *args))
    assert all(word in line for word in words), line


@pytest.mark.parametrize("args", [["-e", "data/videos/my_video.mp4"], ["-sp", "data/single_pictures/hulk.jpg", "--zoom-frames", "2"]])
def test_chain_outside_a_single_picture_is_refused_not_ignored(clip: Path, hulk: Path, args: list[str]) -> None:
    line = one_line_error(run(*args, "--chain"))
    assert "--chain" in line and "-sp PICTURE" in line, line


def test_preview_on_ray_is_refused_not_ignored(clip: Path) -> None:
    line = one_line_error(run("-e", str(clip), "--preview", "--ray"))
    assert "--preview" in line and "drop --ray" in line, line


@pytest.mark.usefixtures("places")
def test_a_model_without_customloop_dreams_its_default_layer_and_says_which(hulk: Path) -> None:
    result = run("-sp", str(hulk), *PLACES, *FAST, "-v", "2")
    assert result.exit_code == 0, result.output
    # PLACES_LIKE has no blocks: its convolutions conv1..conv5, two thirds up is conv4.
    assert "no --layers given: dreaming conv4" in result.output
    assert [p.name.split("_i-")[0] for p in Path("data/single_pictures/hulk").glob("dream_*")] == ["dream_hulk_L-conv4"]


@pytest.mark.usefixtures("places")
def test_each_result_line_is_printed_once(hulk: Path) -> None:
    result = run("-sp", str(hulk), *PLACES, "-l", "conv1", "conv2", *FAST, "-v", "1")
    assert result.exit_code == 0, result.output
    for layer in ("conv1", "conv2"):
        assert result.output.count(f"dream_hulk_L-{layer}_") == 1, result.output


@pytest.mark.usefixtures("places")
def test_guided_and_unguided_runs_keep_apart(hulk: Path, workdir: Path) -> None:
    guide = write_picture(workdir / "data/guide.jpg", 40, 30)
    assert run("-sp", str(hulk), *PLACES, "-l", "conv2", *FAST).exit_code == 0
    assert run("-sp", str(hulk), *PLACES, "-l", "conv2", *FAST, "--gi", str(guide)).exit_code == 0
    plain = Path("data/single_pictures/hulk")
    assert len(list(plain.glob("dream_*.jpg"))) == 1 and len(list(plain.glob("contact_sheet_*.jpg"))) == 1
    assert len(list((plain / "guided").glob("dream_*.jpg"))) == 1
    assert len(list((plain / "guided").glob("contact_sheet_*.jpg"))) == 1


ARTIST_MISTAKES = [
    (["-e", "data/videos", "--mode", "1"], ["data/videos", "is a folder"]),
    (["-sp", "data/single_pictures"], ["data/single_pictures", "is a folder"]),
    (["-e", "data/videos/my_video.mp4", "-sp", "data/single_pictures/hulk.jpg"], ["-e", "-sp", "give"]),
    (["--zoom-frames", "3", "-e", "data/videos/my_video.mp4"], ["--zoom-frames", "-sp"]),
    (["-sp", "data/single_pictures/hulk.jpg", "--zoom-frames", "3", "--pan", "3"], ["--pan", "DX,DY"]),
    (["-sp", "data/single_pictures/hulk.jpg", "--zoom-frames", "3", "--pan", "nan,0"], ["--pan", "-10000"]),
    (["-sp", "data/single_pictures/hulk.jpg", "--zoom-frames", "3", "--pan", "0,1e308"], ["--pan", "10000"]),
    (["-sp", "data/single_pictures/hulk.jpg", "--zoom-frames", "3", "--zoom", "0"], ["--zoom", "greater than 0"]),
    (["-sp", "data/single_pictures/hulk.jpg", "--channels", "4-2"], ["backwards", "2-4"]),
    (["-sp", "data/single_pictures/hulk.jpg", "--channels", "a"], ["--channels", "12,40-45"]),
    (["-sp", "data/single_pictures/hulk.jpg", "--preview", "--preview-scale", "2"], ["--preview-scale"]),
    (["-e", "data/videos/my_video.mp4", "-layers", "conv1"], ["-layers", "two dashes", "--layers or -l"]),
    (["-e", "data/videos/my_video.mp4", "-iterations", "3"], ["-iterations", "--iterations or -itr"]),
]


@pytest.mark.usefixtures("hulk", "clip")
@pytest.mark.parametrize(("args", "words"), ARTIST_MISTAKES, ids=[" ".join(a) for a, _ in ARTIST_MISTAKES])
def test_artist_mistakes_are_one_line(args: list[str], words: list[str]) -> None:
    line = one_line_error(run(*args))
    for word in words:
        assert word in line, line


def test_convert_writes_weights_with_the_umask_mode(workdir: Path) -> None:
    import os

    tiny = write_model(workdir / "models/tiny", "tiny.caffemodel", [("conv1", "conv")])
    previous = os.umask(0o027)
    try:
        result = run("convert", str(tiny / "deploy.prototxt"), str(tiny / "tiny.caffemodel"), "-o", "w.safetensors")
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert Path("w.safetensors").stat().st_mode & 0o777 == 0o640  # 0o666 less the umask, not safetensors' 0o600


def test_the_models_folder_the_readme_suggests_is_ignored_by_git() -> None:
    import subprocess

    repo = Path(__file__).resolve().parents[2]
    if not (repo / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "models/my_model/my_model.caffemodel"], cwd=repo, check=False
    )
    assert ignored.returncode == 0  # 0: ignored


@pytest.mark.usefixtures("places")
def test_p_without_m_dreams_the_folders_only_caffemodel(hulk: Path) -> None:
    result = run("-sp", str(hulk), "-p", "models/places", "-l", "conv2", *FAST)
    assert result.exit_code == 0, result.output
    assert len(list(Path("data/single_pictures/hulk").glob("dream_hulk_L-conv2_*.jpg"))) == 1


@pytest.mark.usefixtures("places")
def test_demo_with_your_own_model_dreams_its_default_layer(clip: Path) -> None:
    result = run("demo", "--input", str(clip), "-p", "models/places", "-m", "places.caffemodel", "-v", "2")
    assert result.exit_code == 0, result.output
    assert "dreaming conv4" in result.output
    (video,) = Path("data/dream_video").glob("my_video-DeepDream__*.mp4")
    assert decoded_frames(video).shape[0] == 6


@pytest.mark.usefixtures("places")
def test_demo_with_your_layers_and_never_without_weights(
    clip: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deepdream_torch.cli import demo

    asked = []
    monkeypatch.setattr(demo, "run_flags", asked.append)
    result = run("demo", "--input", str(clip), "-p", "models/places", "-l", "conv1", "-l", "conv3")
    assert result.exit_code == 0, result.output
    (flags,) = asked
    assert flags.layers == ("conv1", "conv3") and flags.layers_given
    assert flags.model_name == "places.caffemodel"  # -p without -m: the folder's only .caffemodel
    (workdir / "models/places/places.caffemodel").unlink()
    line = one_line_error(run("demo", "--input", str(clip), "-p", "models/places", "-m", "places.caffemodel"))
    assert "trained weights only" in line


@pytest.mark.usefixtures("googlenet")
def test_a_zoom_rerun_with_another_move_is_refused_in_one_line(hulk: Path) -> None:
    args = ["-sp", str(hulk), "--zoom-frames", "2", "-l", "inception_4c/output", *FAST]
    assert run(*args).exit_code == 0
    line = one_line_error(run(*args, "--zoom", "1.2"))
    assert "zoom: 1.05 → 1.2" in line and "--restart" in line
    assert run(*args, "--zoom", "1.2", "--restart").exit_code == 0


def test_help_says_what_blend_loop_does() -> None:
    result = run("--help")
    text = " ".join(result.output.replace("│", " ").split())
    assert "0.5 to 1 and back" not in text
    assert "0.5, 0.6, ... 0.9" in text and "falls back" in text
