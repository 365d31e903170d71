"""What each mode of the original form does: one library call per mode."""

from __future__ import annotations

from deepdream_torch.cli.errors import CliError
from deepdream_torch.cli.flags import Flags


def run_flags(flags: Flags) -> None:
    raise CliError(f"mode {flags.mode} is not wired yet")
