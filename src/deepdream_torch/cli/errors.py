"""The CLI's own error type, and the one-line form every user-facing error takes."""

from __future__ import annotations

from deepdream_torch.errors import DeepDreamError


class CliError(DeepDreamError):
    """A command line that cannot be run as written (a missing flag for the mode, flags that exclude each other)."""


def one_line(message: str) -> str:
    """``message`` on one line: the CLI prints every user mistake as exactly one line."""
    return " ".join(str(message).split())


class Interrupted(CliError):
    """Ctrl-C: reported on one line like any other stop, with the shell's exit code for SIGINT."""

    exit_code = 130
