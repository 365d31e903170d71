"""The argparse habits of the original command line, rewritten for the CLI's parser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deepdream_torch.cli.argv import normalize_argv, table_from_options
from deepdream_torch.cli.errors import CliError

TABLE = table_from_options(
    [
        (["-l", "--layers"], True),
        (["-e", "--extract"], True),
        (["-gi", "--guide-image"], True),
        (["-oct", "--octaves"], True),
        (["-octs", "--octavescale"], True),
        (["-itr", "--iterations"], True),
        (["--restart"], False),
    ],
    multi_value=["-l", "--layers"],
    aliases={"--gi": "--guide-image"},
)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["-l", "a", "b", "c"], ["-l", "a", "-l", "b", "-l", "c"]),
        (["--layers", "a/x", "b", "-e", "v.mp4"], ["--layers", "a/x", "--layers", "b", "-e", "v.mp4"]),
        (["--layers=a", "b"], ["--layers", "a", "--layers", "b"]),
        (["-l", "a", "-l", "b"], ["-l", "a", "-l", "b"]),
        (["-l"], ["-l"]),  # no value: left for the parser to report
        (["--guide_image", "g.jpg"], ["--guide-image", "g.jpg"]),
        (["--gi", "g.jpg"], ["--guide-image", "g.jpg"]),
        (["--iter", "6"], ["--iterations", "6"]),  # argparse's unique-prefix abbreviation
        (["--octaves=3"], ["--octaves", "3"]),
        (["-oct=3"], ["-oct", "3"]),
        (["-e", "-l"], ["-e", "-l"]),  # a value is taken as is, even when it looks like an option
        (["--restart", "-l", "a", "b"], ["--restart", "-l", "a", "-l", "b"]),
        (["demo", "--layers", "a", "b"], ["demo", "--layers", "a", "b"]),  # a subcommand's arguments: untouched
        (["-s1.5", "--unknown", "x"], ["-s1.5", "--unknown", "x"]),  # left for the parser
        (["-l", "a", "--", "b"], ["-l", "a", "--", "b"]),
    ],
)
def test_rewrites_like_argparse_read_it(argv: list[str], expected: list[str]) -> None:
    assert normalize_argv(argv, TABLE) == expected


def test_an_ambiguous_prefix_names_the_candidates() -> None:
    with pytest.raises(CliError, match="--octaves, --octavescale"):
        normalize_argv(["--oct", "3"], TABLE)


layer_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}(/[a-z0-9_]{1,6})?", fullmatch=True)


@given(st.lists(layer_names, min_size=1, max_size=6), st.sampled_from(["-l", "--layers"]))
def test_every_name_after_one_layers_flag_is_kept_in_order(names: list[str], flag: str) -> None:
    out = normalize_argv([flag, *names, "-oct", "2"], TABLE)
    assert out[-2:] == ["-oct", "2"]
    assert out[:-2:2] == [flag] * len(names)
    assert out[1:-2:2] == names
