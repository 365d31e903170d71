"""Every number flag has a range: outside it (too big, negative, nan, infinite, past 64 bits) the run stops in
one line with exit code 2 before anything is loaded, never a traceback or a run that cannot end."""

from __future__ import annotations

import pytest

from tests.cli.cli_helpers import one_line_error, run

CLIP = "data/videos/my_video.mp4"
PICTURE = ["-sp", "data/p.jpg"]
HUGE = "99999999999999999999999"  # past 64 bits

# (arguments, words the one line must contain)
OUT_OF_RANGE = [
    (["-oct", "65"], ["octaves", "at most 64"]),
    (["-oct", HUGE], ["octaves", "at most"]),
    (["-octs", "1e308"], ["octave scale", "at most 10"]),
    (["-octs", "inf"], ["octave scale", "finite"]),
    (["-octs", "nan"], ["octave scale", "finite"]),
    (["-itr", "1001"], ["iterations", "at most 1000"]),
    (["-itr", HUGE], ["iterations", "at most"]),
    (["-j", "10001"], ["jitter", "at most 10000"]),
    (["-j", HUGE], ["jitter", "at most"]),
    (["-j", "1e30"], ["--jitter", "integer"]),
    (["-s", "nan"], ["step size", "finite"]),
    (["-s", "inf"], ["step size", "finite"]),
    (["-s", "-inf"], ["step size", "finite"]),
    (["-s", "1e308"], ["step size", "at most 255"]),
    (["-sf", "100000000"], ["--start-frame", "99999999"]),
    (["-sf", HUGE], ["--start-frame"]),
    (["-ef", "1e30"], ["--end-frame"]),
    (["--crf", "52"], ["--crf"]),
    (["--crf", "-1"], ["--crf"]),
    (["--seed", "-2"], ["--seed", "-2", "-1 for a random seed"]),
    (["--seed", HUGE], ["--seed", "9223372036854775807"]),
    (["--threads", "100000000"], ["--threads"]),
    ([*PICTURE, "--zoom-frames", HUGE], ["--zoom-frames"]),
    ([*PICTURE, "--zoom-frames", "2", "--zoom", "inf"], ["--zoom"]),
    ([*PICTURE, "--zoom-frames", "2", "--zoom", "1e308"], ["--zoom"]),
    ([*PICTURE, "--zoom-frames", "2", "--rotate", "nan"], ["--rotate"]),
    ([*PICTURE, "--zoom-frames", "2", "--rotate", "1e308"], ["--rotate"]),
    ([*PICTURE, "--zoom-frames", "2", "--zoom-fps", "1000000000"], ["--zoom-fps"]),
    ([*PICTURE, "--channels", "0", "--channels-weight", "nan"], ["--channels-weight"]),
    ([*PICTURE, "--channels", "0", "--channels-weight", "1e308"], ["--channels-weight"]),
]


@pytest.mark.parametrize(("args", "words"), OUT_OF_RANGE, ids=[" ".join(a) for a, _ in OUT_OF_RANGE])
def test_a_number_out_of_range_is_one_line(args: list[str], words: list[str]) -> None:
    line = one_line_error(run(*(args if "-sp" in args else ["-e", CLIP, *args])))
    assert line.startswith("deepdream: error: ")
    for word in words:
        assert word in line
