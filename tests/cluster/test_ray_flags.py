"""``--ray`` takes an optional address, as argparse's ``nargs="?"`` did: alone it means a local instance."""

from __future__ import annotations

import pytest

from deepdream_torch.cli.app import parse_flags


@pytest.mark.parametrize(
    ("argv", "address"),
    [
        (["-e", "v.mp4", "--ray"], "local"),  # last on the line
        (["--ray", "-e", "v.mp4", "--workers", "2"], "local"),  # followed by another flag
        (["-e", "v.mp4", "--ray", "auto"], "auto"),
        (["-e", "v.mp4", "--ray=10.0.0.5:6379"], "10.0.0.5:6379"),
        (["-e", "v.mp4"], None),
    ],
)
def test_ray_alone_means_a_local_instance(argv: list[str], address: str | None) -> None:
    assert parse_flags(argv).ray == address


def test_ray_flags_reach_the_run() -> None:
    flags = parse_flags(["-e", "v.mp4", "--ray", "--workers", "3", "--chunk-frames", "40", "--warmup", "5",
                         "--threads", "2"])  # fmt: skip
    assert (flags.workers, flags.chunk_frames, flags.warmup, flags.threads) == (3, 40, 5, 2)
