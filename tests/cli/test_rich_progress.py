import io

from rich.console import Console

from deepdream_torch.cli.rich_progress import rich_progress
from deepdream_torch.video import dream_video, parse_blend
from deepdream_torch.video.options import FrameOptions
from tests.video.video_clips import identity, write_clip


def run(tmp_path, verbose):
    out = io.StringIO()
    console = Console(file=out, width=150, force_terminal=False)
    source = write_clip(tmp_path / "c.mp4", frames=6)
    with rich_progress(console, verbose=verbose) as progress:
        dream_video(source, tmp_path / f"f{verbose}", tmp_path / f"o{verbose}.mp4", identity, ["a", "b"], options=FrameOptions(blend=parse_blend("loop")), progress=progress)  # fmt: skip
        progress.log(2, "octave 1/4")
    return out.getvalue()


def test_bar_shows_frames_done_of_total_speed_and_eta(tmp_path):
    text = run(tmp_path, verbose=1)
    assert "dreaming" in text and "6/6" in text and "frames/s" in text and "ETA" in text
    assert "wrote" in text and "frame 3:" not in text and "octave 1/4" not in text


def test_verbose_2_adds_a_line_per_frame_and_the_dreams_details(tmp_path):
    text = run(tmp_path, verbose=2)
    assert "frame 1: a, as is" in text and "frame 3: a, blend 0.60" in text
    assert "octave 1/4" in text


def test_the_octave_iteration_bar_shows_no_frame_speed():
    from types import SimpleNamespace

    out = io.StringIO()
    console = Console(file=out, width=150, force_terminal=False)
    with rich_progress(console, verbose=2) as progress:
        progress.start("dreaming", total=3, done=0)
        for done in range(1, 5):
            progress.steps(SimpleNamespace(octave=1, octaves=2, iteration=done, iterations=4, done=done, total=8))
    step_lines = [line for line in out.getvalue().splitlines() if "iteration" in line]
    assert step_lines and not any("frames/s" in line for line in step_lines)
    assert any("frames/s" in line for line in out.getvalue().splitlines() if line.startswith("dreaming"))
