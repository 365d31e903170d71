"""Videos are read as a player shows them: a phone clip's display matrix turns the frames upright (and the video
written from them plays upright, with no matrix left), and a clip damaged in the middle gives every frame that
can be decoded plus one warning line with both counts."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from deepdream_torch.video.blend import Blend
from deepdream_torch.video.decode import decode_frames, probe
from deepdream_torch.video.dream_run import dream_video
from deepdream_torch.video.errors import VideoError
from deepdream_torch.video.extract import extract_frames
from deepdream_torch.video.frame import FrameRange
from deepdream_torch.video.options import FrameOptions
from deepdream_torch.video.progress import FrameDone
from tests.video.video_clips import Recorder, clip_frame, psnr, read_png, write_clip

WIDTH, HEIGHT, FRAMES = 64, 48, 6


def write_turned_clip(path: Path, degrees: int, hflip: bool = False, vflip: bool = False) -> Path:
    """The generated clip stored as is, with a display matrix saying: turn ``degrees`` counter-clockwise, then
    mirror (what phones write for portrait video; PyAV's set_display_rotation)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv444p"
        stream.options = {"crf": "8", "preset": "ultrafast"}
        stream.set_display_rotation(degrees, hflip=hflip, vflip=vflip)
        for index in range(FRAMES):
            for packet in stream.encode(av.VideoFrame.from_ndarray(clip_frame(index, WIDTH, HEIGHT), "rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


def as_shown(stored: np.ndarray, degrees: int, hflip: bool, vflip: bool) -> np.ndarray:
    """What a player shows: np.rot90 turns counter-clockwise, then the mirrors."""
    shown = np.rot90(stored, degrees // 90)
    shown = shown[:, ::-1] if hflip else shown
    return shown[::-1] if vflip else shown


# The eight orientations a display matrix can hold: four turns, with and without a mirror.
TURNS = [(0, False, False), (90, False, False), (180, False, False), (-90, False, False),
         (0, True, False), (0, False, True), (90, True, False), (90, False, True)]  # fmt: skip


@pytest.mark.parametrize(("degrees", "hflip", "vflip"), TURNS, ids=[f"{d}{'h' * h}{'v' * v}" for d, h, v in TURNS])
def test_frames_come_out_as_a_player_shows_them(tmp_path: Path, degrees: int, hflip: bool, vflip: bool) -> None:
    clip = write_turned_clip(tmp_path / "phone.mp4", degrees, hflip, vflip)
    frames = list(decode_frames(clip))
    assert len(frames) == FRAMES
    for frame in frames:
        expected = as_shown(clip_frame(frame.number - 1, WIDTH, HEIGHT), degrees, hflip, vflip)
        assert frame.image.shape == expected.shape
        assert psnr(frame.image, expected) > 35, frame.number
    info = probe(clip)
    assert (info.height, info.width) == expected.shape[:2]


def stored_frames_and_matrix(video: Path) -> tuple[list[np.ndarray], bool]:
    """The frames as stored (no display matrix applied) and whether any frame carries a matrix."""
    images, matrix = [], False
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            images.append(frame.to_ndarray(format="rgb24"))
            matrix |= any(data.type == av.sidedata.sidedata.Type.DISPLAYMATRIX for data in frame.side_data)
    return images, matrix


def test_a_portrait_phone_clip_is_dreamed_upright_and_plays_upright(tmp_path: Path) -> None:
    clip = write_turned_clip(tmp_path / "phone.mp4", -90)  # a quarter turn clockwise, as phones held upright
    dreamer = Recorder()
    frames, out = tmp_path / "frames", tmp_path / "out.mp4"
    result = dream_video(clip, frames, out, dreamer, ["l"], options=FrameOptions(blend=Blend(value=1.0), image_type="png"))
    shown = [as_shown(clip_frame(n, WIDTH, HEIGHT), -90, False, False) for n in range(FRAMES)]
    assert all(psnr(got, want) > 35 for got, want in zip(dreamer.inputs, shown, strict=True))
    assert read_png(tmp_path / "frames" / "dream_frame_00000001.png").shape == (WIDTH, HEIGHT, 3)
    images, matrix = stored_frames_and_matrix(result.video)
    assert not matrix  # the frames themselves are upright: every player shows them so
    assert all(psnr(got, 255 - want) > 30 for got, want in zip(images, shown, strict=True))


def damage(clip: Path, how: str) -> Path:
    """``clip`` with packets 5 to 11 (of 20) zeroed, overwritten with noise, or cut out of the file."""
    with av.open(str(clip)) as container:
        starts = [packet.pos for packet in container.demux(video=0) if packet.size]
    data = bytearray(clip.read_bytes())
    begin, end = starts[5], starts[12]
    if how == "zeros":
        data[begin:end] = bytes(end - begin)
    elif how == "noise":
        data[begin:end] = np.random.default_rng(0).integers(0, 256, end - begin, dtype=np.uint8).tobytes()
    else:
        del data[begin:end]
    damaged = clip.with_name(f"{how}{clip.suffix}")
    damaged.write_bytes(bytes(data))
    return damaged


class Lines:
    """A video progress that keeps the log lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.total = 0

    def start(self, description: str, total: int, done: int) -> None:
        self.total = total

    def frame(self, event: FrameDone) -> None:
        pass

    def log(self, level: int, message: str) -> None:
        self.lines.append(message)


# (container, damage) -> frames the header promises, frames decodable (counted with PyAV packet by packet)
DAMAGED = [("mp4", "zeros"), ("mp4", "noise"), ("mkv", "cut")]


def decodable_count(video: Path) -> int:
    """An independent count: decode packet by packet with PyAV, skipping the packets the decoder refuses."""
    count = 0
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        for packet in container.demux(stream):
            try:
                count += len(stream.decode(packet))
            except av.FFmpegError:
                continue
    return count


@pytest.mark.parametrize(("suffix", "how"), DAMAGED, ids=[f"{s}-{h}" for s, h in DAMAGED])
def test_a_damaged_clip_gives_every_decodable_frame_and_one_warning(tmp_path: Path, suffix: str, how: str) -> None:
    clip = write_clip(tmp_path / f"clip.{suffix}", frames=20, width=WIDTH, height=HEIGHT)
    damaged = damage(clip, how)
    promised, decodable = probe(damaged).frame_count, decodable_count(damaged)
    assert decodable < promised  # the damage is real

    frames = list(decode_frames(damaged, images=False))
    assert len(frames) == decodable and [f.number for f in frames] == list(range(1, decodable + 1))

    extracted = Lines()
    result = extract_frames(damaged, tmp_path / "in", image_type="png", progress=extracted)
    assert result.frames == decodable and len(list((tmp_path / "in").glob("*.png"))) == decodable
    dreamed = Lines()
    out = dream_video(damaged, tmp_path / "out", tmp_path / "out.mp4", Recorder(), ["l"], progress=dreamed)
    assert out.frames == decodable and len(stored_frames_and_matrix(out.video)[0]) == decodable
    for progress in (extracted, dreamed):
        warnings = [line for line in progress.lines if "warning" in line]
        assert len(warnings) == 1, progress.lines
        assert f"decoded to {decodable} frames" in warnings[0] and f"promises {promised}" in warnings[0]
        assert progress.total == promised


def test_an_intact_clip_gives_no_warning(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "clip.mp4", frames=8, width=WIDTH, height=HEIGHT)
    progress = Lines()
    extract_frames(clip, tmp_path / "in", image_type="png", progress=progress)
    assert not [line for line in progress.lines if "warning" in line]
    assert probe(clip).frame_rate == Fraction(25)


def test_a_start_frame_past_the_decodable_end_is_refused(tmp_path: Path) -> None:
    damaged = damage(write_clip(tmp_path / "clip.mp4", frames=20, width=WIDTH, height=HEIGHT), "zeros")
    decodable = decodable_count(damaged)
    late = FrameRange(decodable + 2)  # within the 20 the header promises, past what can be decoded
    with pytest.raises(VideoError, match=f"start frame {decodable + 2} is past the end .* only {decodable} of"):
        extract_frames(damaged, tmp_path / "in", frames=late, image_type="png")
    with pytest.raises(VideoError, match=f"only {decodable} of its frames can be decoded"):
        dream_video(damaged, tmp_path / "out", tmp_path / "out.mp4", Recorder(), ["l"], options=FrameOptions(frames=late))
    assert not list(tmp_path.glob("out*.mp4"))  # no empty or partial video left behind
