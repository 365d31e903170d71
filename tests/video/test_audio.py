import av
import pytest

from deepdream_torch.video.decode import decode_frames, probe
from deepdream_torch.video.encode import open_writer
from tests.video.video_clips import audio_seconds


def copy_with_audio(source, out):
    info = probe(source)
    with open_writer(out, time_base=info.time_base, frame_rate=info.frame_rate, audio_from=source) as writer:
        for frame in decode_frames(source):
            writer.write(frame.image, frame.pts, frame.duration)
    return writer


def audio_codec(path):
    with av.open(str(path)) as container:
        return container.streams.audio[0].codec_context.name if container.streams.audio else None


def first_audio_packets(path, count=5):
    with av.open(str(path)) as container:
        packets = [bytes(p) for p in container.demux(container.streams.audio[0]) if p.size]
    return packets[:count]


@pytest.mark.parametrize("name", ["lions_small_b75.mkv", "nature_1sm480.mkv"])
def test_vorbis_goes_into_mp4_as_aac_of_the_same_length(shared, tmp_path, name):
    source = shared / "media" / name
    out = tmp_path / "out.mp4"
    writer = copy_with_audio(source, out)
    assert (writer.audio.codec, writer.audio.copied) == ("aac", False)
    assert audio_codec(out) == "aac"
    assert audio_seconds(out) == pytest.approx(audio_seconds(source), abs=0.04)  # one frame at 25 fps


def test_vorbis_is_copied_into_matroska(shared, tmp_path):
    source = shared / "media/lions_small_b75.mkv"
    out = tmp_path / "out.mkv"
    writer = copy_with_audio(source, out)
    assert writer.audio.copied and audio_codec(out) == "vorbis"
    assert first_audio_packets(out) == first_audio_packets(source)
    assert audio_seconds(out) == pytest.approx(audio_seconds(source), abs=0.04)


@pytest.mark.parametrize(("audio", "container", "copied"), [("aac", "mp4", True), ("flac", "mkv", True)])
def test_codecs_mp4_plays_are_copied_bit_for_bit(make_clip, tmp_path, audio, container, copied):
    source = make_clip(f"c.{container}", audio=audio, frames=20)
    out = tmp_path / "out.mp4"
    writer = copy_with_audio(source, out)
    assert writer.audio.copied is copied and audio_codec(out) == audio
    assert first_audio_packets(out) == first_audio_packets(source)
    assert audio_seconds(out) == pytest.approx(audio_seconds(source), abs=0.04)


def test_pcm_is_re_encoded_for_mp4(make_clip, tmp_path):
    source = make_clip("c.mkv", audio="pcm_s16le", frames=20)
    out = tmp_path / "out.mp4"
    writer = copy_with_audio(source, out)
    assert not writer.audio.copied and audio_codec(out) == "aac"
    assert audio_seconds(out) == pytest.approx(0.8, abs=0.04)


def test_a_silent_video_stays_silent(make_clip, tmp_path):
    out = tmp_path / "out.mp4"
    writer = copy_with_audio(make_clip("c.mp4", frames=5), out)
    assert writer.audio is None and audio_seconds(out) is None
