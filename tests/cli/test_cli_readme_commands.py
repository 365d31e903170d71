"""Every command line of the original tool's README, run as written (``docker run ... deepdream`` → ``deepdream``,
``/data`` → ``data``), on tiny random-weight nets that carry the real models' layer names."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import Result

from tests.cli.cli_helpers import (
    CLIP_FRAMES,
    CLIP_SIZE,
    PLACES_LIKE,
    decoded_frames,
    run,
    serve_gist_model,
    write_model,
    write_picture,
)


def readme(line: str, input: str | None = None) -> Result:
    """Run one README command line; it must succeed."""
    program, *args = shlex.split(line)
    assert program == "deepdream"
    result = run(*args, input=input)
    assert result.exit_code == 0, result.output
    return result


def only(pattern: str) -> Path:
    found = sorted(Path().glob(pattern))
    assert len(found) == 1, (pattern, found)
    return found[0]


def dreamed(folder: str) -> list[Path]:
    return sorted(Path(folder).glob("dream_frame_*.jpg"))


@pytest.mark.usefixtures("googlenet")
def test_mode_0_with_default_params(clip: Path) -> None:
    readme("deepdream -e data/videos/my_video.mp4")
    frames = dreamed("data/output_frames/my_video")
    assert [f.name for f in frames] == [f"dream_frame_{n:08d}.jpg" for n in range(1, CLIP_FRAMES + 1)]
    video = only("data/dream_video/my_video-DeepDream__*.mp4")
    decoded = decoded_frames(video)
    assert decoded.shape == (CLIP_FRAMES, CLIP_SIZE[1], CLIP_SIZE[0], 3)
    source = decoded_frames(clip)
    assert abs(decoded.astype(int) - source.astype(int)).mean() > 2  # it dreamed: the frames changed


@pytest.mark.usefixtures("googlenet")
def test_mode_0_with_custom_params(clip: Path) -> None:
    result = readme("deepdream -e data/videos/my_video.mp4 -itr 6 --blend 0.85 --layers inception_4c/output")
    assert len(dreamed("data/output_frames/my_video")) == CLIP_FRAMES
    assert "video: data/dream_video/my_video-DeepDream__" in result.stdout


@pytest.mark.usefixtures("googlenet", "clip")
def test_mode_0_with_a_guide_picture() -> None:
    write_picture(Path("data/guide_pictures/my_picture.jpg"), 40, 24)
    readme("deepdream -e data/videos/my_video.mp4 -itr 6 --blend 0.85 --gi data/guide_pictures/my_picture.jpg")
    assert len(dreamed("data/output_frames/my_video_guided")) == CLIP_FRAMES
    only("data/dream_video/my_video-DeepDream_guided__*.mp4")


@pytest.mark.usefixtures("googlenet")
def test_single_picture_with_the_default_model_and_layers() -> None:
    write_picture(Path("data/single_pictures/hulk.jpg"))
    result = readme("deepdream -sp data/single_pictures/hulk.jpg")
    names = sorted(p.name for p in Path("data/single_pictures/hulk").iterdir())
    layers = ["inception_4c-output", "inception_4d-output", "inception_4e-output", "inception_5a-output",
              "inception_5b-output"]  # fmt: skip
    sheet = "contact_sheet_i-10_o-4_os-1.4_ss-1.5_j-32.jpg"  # named after its settings
    assert len(names) == len(layers) + 1 and sheet in names
    for layer in layers:
        assert any(re.fullmatch(rf"dream_hulk_L-{layer}_i-10_o-4_os-1.4_ss-1.5_j-32_\(\d+sec\)\.jpg", n) for n in names)
    assert f"contact sheet: data/single_pictures/hulk/{sheet}" in result.stdout


def test_single_picture_with_a_manually_downloaded_model(workdir: Path) -> None:
    # docker run -v $PWD/data:/data -v $PWD/models:/models deepdream -p models/places205CNN ...: the image's
    # working folder is /, so models/places205CNN is the mounted /models/places205CNN.
    write_model(workdir / "models/places205CNN", "places205CNN_iter_300000_upgraded.caffemodel", PLACES_LIKE)
    write_picture(Path("data/single_pictures/hulk.jpg"))
    readme(
        "deepdream -p models/places205CNN -m places205CNN_iter_300000_upgraded.caffemodel "
        "-sp data/single_pictures/hulk.jpg --layers conv1 pool1 norm1 conv2 pool2 norm2 conv3 conv4 conv5 pool5"
    )
    names = {re.sub(r"\(\d+sec\)", "(Nsec)", p.name) for p in Path("data/single_pictures/hulk").glob("dream_*")}
    # The file names the original README lists for this command, seconds aside.
    assert names == {f"dream_hulk_L-{layer}_i-10_o-4_os-1.4_ss-1.5_j-32_(Nsec).jpg" for layer, _ in PLACES_LIKE}


def test_modes_4_and_5_then_dream_with_the_downloaded_model(mirror: Path, clip: Path) -> None:
    model = "googlenet_finetune_web_car_iter_10000"
    serve_gist_model(mirror, model, [("conv1", "conv"), ("inception_3a_5x5", "conv")])

    result = readme("deepdream --mode 4", input="22\n")
    assert re.search(rf"\b22 +│ {model} ", result.stdout)  # the original README's number for this model
    assert f"Model Name : {model}.caffemodel" in result.stdout
    assert "inception_3a_5x5" in result.stdout and "6×48×64" in result.stdout
    assert (Path("models") / model / f"{model}.caffemodel").is_file()
    assert len(list(Path("home/converted").glob("*.safetensors"))) == 1

    listing = readme(f"deepdream --mode 5 -m {model}.caffemodel")
    assert re.search(r"inception_3a_5x5\s+│\s+6×48×64", listing.stdout)

    readme(f"deepdream -e data/videos/my_video.mp4 -itr 6 --blend 0.85 -m {model}.caffemodel --layers inception_3a_5x5")
    assert len(dreamed("data/output_frames/my_video")) == CLIP_FRAMES


def test_manually_downloaded_model_steps_6_and_7(workdir: Path, clip: Path) -> None:
    write_model(workdir / "models/my_model", "my_model.caffemodel", [("layers1", "conv"), ("layers2", "conv")])
    listing = readme("deepdream --mode 5 -m my_model.caffemodel -p models/my_model")
    assert "layers1" in listing.stdout and "layers2" in listing.stdout
    readme("deepdream -e data/videos/my_video.mp4 -m my_model.caffemodel -p models/my_model --layers layers1 layers2")
    assert len(dreamed("data/output_frames/my_video")) == CLIP_FRAMES
    only("data/dream_video/my_video-DeepDream__*.mp4")


@pytest.mark.usefixtures("googlenet")
def test_modes_1_2_3_one_after_the_other(clip: Path) -> None:
    readme("deepdream --mode 1 -e data/videos/my_video.mp4")
    extracted = sorted(p.name for p in Path("data/input_frames/my_video").iterdir())
    assert extracted == [f"{n:08d}.jpg" for n in range(1, CLIP_FRAMES + 1)]
    readme("deepdream --mode 2 -e data/videos/my_video.mp4 -l inception_4c/output -itr 2 -it jpg")
    assert len(dreamed("data/output_frames/my_video")) == CLIP_FRAMES
    readme("deepdream --mode 3 -e data/videos/my_video.mp4")
    assert decoded_frames(only("data/dream_video/my_video-DeepDream__*.mp4")).shape[0] == CLIP_FRAMES
