"""Mode 0: video in, dream, video out."""

import av
import cv2
import numpy as np
import pytest

from deepdream_torch.video import FrameRange, VideoError, VideoInterrupted, dream_video, parse_blend
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.partial import Encoder
from tests.video.video_clips import (
    InterruptAt,
    Recorder,
    audio_seconds,
    cv2_frames,
    cv2_times_ms,
    dreamed_numbers,
    identity,
    numbered_layers,
    psnr,
    read_png,
)


def container_seconds(path):
    with av.open(str(path)) as container:
        return container.duration / 1_000_000


@pytest.mark.parametrize("name", ["lions_small_b75.mkv", "nature_1sm480.mkv"])
def test_the_samples_keep_frames_rate_size_audio_and_duration(shared, tmp_path, name):
    source = shared / "media" / name
    out = tmp_path / "video" / "out.mp4"
    result = dream_video(source, tmp_path / "frames", out, identity, ["a"], options=FrameOptions(blend=parse_blend(1)))
    ours, theirs = cv2_frames(out), cv2_frames(source)
    assert len(ours) == len(theirs) == result.frames
    assert ours[0].shape == theirs[0].shape
    assert cv2.VideoCapture(str(out)).get(cv2.CAP_PROP_FPS) == pytest.approx(25)
    assert min(psnr(a, b) for a, b in zip(ours, theirs, strict=True)) > 30  # frame for frame, no shift
    assert audio_seconds(out) == pytest.approx(audio_seconds(source), abs=0.04)
    assert container_seconds(out) == pytest.approx(container_seconds(source), abs=0.04)
    assert len(list((tmp_path / "frames").glob("dream_frame_*.jpg"))) == len(theirs)
    assert result.audio == "aac, re-encoded from vorbis"


def test_each_frame_is_dreamed_from_the_next_source_frame_blended_into_the_previous_dream(
    make_clip, tmp_path
):
    source = make_clip("c.mp4", frames=11)
    frames = cv2_frames(source)
    dreamer = Recorder()
    dream_video(source, tmp_path / "f", tmp_path / "o.mp4", dreamer, ["x"], options=FrameOptions(blend=parse_blend("loop"), image_type="png"))
    loop = [0.5, 0.6, 0.7, 0.8, 0.9, 0.8, 0.7, 0.6, 0.5, 0.6]  # frames 2..11
    assert len(dreamer.inputs) == 11
    assert np.array_equal(dreamer.inputs[0], frames[0])  # the first frame is dreamed as it is
    for n in range(1, 11):
        previous_dream = 255.0 - dreamer.inputs[n - 1]
        expected = np.rint(previous_dream * (1 - loop[n - 1]) + frames[n] * loop[n - 1])
        assert np.abs(dreamer.inputs[n] - expected).max() <= 1, f"frame {n + 1}"
    for n in range(11):
        saved = read_png(tmp_path / "f" / f"dream_frame_{n + 1:08d}.png")
        assert np.array_equal(saved, 255 - dreamer.inputs[n])


def test_random_blend_is_reproducible_by_seed(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=8)
    runs = {}
    for name, seed in [("a", 3), ("b", 3), ("d", 4)]:
        dreamer = Recorder()
        dream_video(source, tmp_path / name, tmp_path / f"{name}.mp4", dreamer, ["x"], options=FrameOptions(blend=parse_blend("random", seed)))
        runs[name] = np.stack(dreamer.inputs)
    assert np.array_equal(runs["a"], runs["b"])
    assert not np.array_equal(runs["a"], runs["d"])


def test_independent_frames_go_in_batches_and_layers_cycle_by_frame_number(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=10)
    dreamer = Recorder()
    layers = ["a", "b", "c"]
    dream_video(source, tmp_path / "f", tmp_path / "o.mp4", dreamer, layers, options=FrameOptions(blend=parse_blend(1), batch_size=4))
    assert dreamer.calls == [4, 4, 2]
    assert all(np.array_equal(a, b) for a, b in zip(dreamer.inputs, cv2_frames(source), strict=True))
    assert dreamer.layers == ["a", "b", "c", "a", "b", "c", "a", "b", "c", "a"]


def test_start_and_end_frames_are_one_based_and_inclusive(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=12, audio="aac")
    frames = cv2_frames(source)
    dreamer = Recorder()
    out = tmp_path / "o.mp4"
    dream_video(source, tmp_path / "f", out, dreamer, numbered_layers(12), options=FrameOptions(frames=FrameRange(3, 7), image_type="png", encoder=Encoder(crf=12)))
    assert dreamer.layers == ["f3", "f4", "f5", "f6", "f7"]
    assert np.array_equal(dreamer.inputs[0], frames[2])
    assert dreamed_numbers(tmp_path / "f") == [3, 4, 5, 6, 7]
    ours = cv2_frames(out)
    assert len(ours) == 5
    for k, picture in enumerate(ours):
        assert psnr(picture, 255 - dreamer.inputs[k]) > 35
    assert cv2_times_ms(out) == pytest.approx([0, 40, 80, 120, 160], abs=1)
    assert audio_seconds(out) == pytest.approx(0.2, abs=0.04)


def test_variable_frame_rate_stays_in_sync(make_clip, tmp_path):
    times = [0, 40, 80, 200, 240, 260, 300, 420, 460]
    source = make_clip("vfr.mkv", pts_ms=times, audio="aac")
    out = tmp_path / "o.mp4"
    dream_video(source, tmp_path / "f", out, identity, ["x"])
    assert cv2_times_ms(out) == pytest.approx(times, abs=1)
    assert audio_seconds(out) == pytest.approx(0.5, abs=0.04)


def test_odd_sized_frames_are_dreamed_at_their_size(make_clip, tmp_path):
    source = make_clip("odd.mkv", width=65, height=49, frames=3)
    dreamer = Recorder()
    dream_video(source, tmp_path / "f", tmp_path / "o.mp4", dreamer, ["x"], options=FrameOptions(image_type="png"))
    assert dreamer.inputs[0].shape == (49, 65, 3)
    assert read_png(tmp_path / "f" / "dream_frame_00000001.png").shape == (49, 65, 3)
    assert cv2_frames(tmp_path / "o.mp4")[0].shape == (50, 66, 3)


def test_resume_continues_after_the_last_dreamed_frame(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=10, audio="aac")
    layers = numbered_layers(10)
    blend = parse_blend("loop")
    out = tmp_path / "v" / "o.mp4"
    partial = tmp_path / "v" / "o.partial.mp4"
    first = InterruptAt(4)
    with pytest.raises(
        VideoInterrupted, match="run the same command again to continue from frame 5"
    ) as stopped:
        dream_video(source, tmp_path / "f", out, first, layers, options=FrameOptions(blend=blend, image_type="png"))
    assert stopped.value.done == 4 and stopped.value.partial == partial
    assert first.layers == ["f1", "f2", "f3", "f4"] and first.numbers == [1, 2, 3, 4]
    assert dreamed_numbers(tmp_path / "f") == [1, 2, 3, 4]
    assert len(cv2_frames(partial)) == 4 and not out.exists()

    second = Recorder()
    result = dream_video(source, tmp_path / "f", out, second, layers, options=FrameOptions(blend=blend, image_type="png"))
    assert second.layers == ["f5", "f6", "f7", "f8", "f9", "f10"] and second.numbers == [5, 6, 7, 8, 9, 10]
    assert (result.dreamed, result.reused) == (6, 4)
    assert len(cv2_frames(out)) == 10 and not partial.exists()
    assert audio_seconds(out) == pytest.approx(0.4, abs=0.04)

    straight = Recorder()
    dream_video(source, tmp_path / "g", tmp_path / "p.mp4", straight, layers, options=FrameOptions(blend=blend, image_type="png"))
    for n in range(1, 11):
        name = f"dream_frame_{n:08d}.png"
        assert np.array_equal(read_png(tmp_path / "f" / name), read_png(tmp_path / "g" / name)), name


def test_a_finished_run_is_not_dreamed_again_unless_restarted(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=5)
    dream_video(source, tmp_path / "f", tmp_path / "a.mp4", Recorder(), ["x"])
    again = Recorder()
    result = dream_video(source, tmp_path / "f", tmp_path / "b.mp4", again, ["x"])
    assert again.calls == [] and result.reused == 5 and len(cv2_frames(tmp_path / "b.mp4")) == 5
    restarted = Recorder()
    dream_video(source, tmp_path / "f", tmp_path / "d.mp4", restarted, ["x"], options=FrameOptions(restart=True))
    assert len(restarted.inputs) == 5


def test_the_input_is_never_overwritten(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=3)
    before = source.read_bytes()
    with pytest.raises(VideoError, match="is the input video"):
        dream_video(source, tmp_path / "f", source, identity, ["x"])
    assert source.read_bytes() == before


def test_a_dreamer_returning_the_wrong_shape_is_reported(make_clip, tmp_path):
    source = make_clip("c.mp4", frames=3)
    with pytest.raises(VideoError, match="must return uint8 frames of the shape it was given"):
        dream_video(source, tmp_path / "f", tmp_path / "o.mp4", lambda x, layers, numbers: x[:, ::2], ["x"])


def test_missing_and_corrupt_videos(tmp_path):
    with pytest.raises(VideoError, match="does not exist"):
        dream_video(tmp_path / "none.mp4", tmp_path / "f", tmp_path / "o.mp4", identity, ["x"])
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 10_000)
    with pytest.raises(VideoError, match="cannot read .* as a video"):
        dream_video(bad, tmp_path / "f", tmp_path / "o.mp4", identity, ["x"])


def test_a_start_frame_past_the_end(make_clip, tmp_path):
    with pytest.raises(VideoError, match="past the end"):
        dream_video(make_clip(frames=3), tmp_path / "f", tmp_path / "o.mp4", identity, ["x"], options=FrameOptions(frames=FrameRange(9)))


def test_a_clip_with_a_gap_of_months_stops_in_one_line_and_its_partial_video_plays(make_clip, tmp_path):
    # 2^33 ms (99 days) after frame 2: MP4 cannot store the step. It used to leave a partial video without a
    # single frame, which PyAV could not even open (IndexError).
    gap = 2**33
    source = make_clip("gap.mkv", pts_ms=[0, 40, gap, gap + 40, gap + 80])
    out = tmp_path / "v" / "o.mp4"
    with pytest.raises(VideoError) as raised:
        dream_video(source, tmp_path / "f", out, identity, ["x"], options=FrameOptions(image_type="png"))
    partial = tmp_path / "v" / "o.partial.mp4"
    assert "\n" not in str(raised.value) and str(partial) in str(raised.value)
    with av.open(str(partial)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 2
    assert len(cv2_frames(partial)) == 2
    assert not out.exists()
    assert dreamed_numbers(tmp_path / "f")[:2] == [1, 2]  # the dreamed frames are kept for a rerun
