"""``deepdream --help`` and ``deepdream zoo list``: what they say, and that they answer without importing torch
(seconds on a cold machine)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli.cli_helpers import run

PROBE = (
    "import sys\n"
    "from deepdream_torch.cli.start import main\n"
    "sys.argv = ['deepdream', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH', file=sys.stderr)\n"
)


@pytest.mark.parametrize("args", [["--help"], ["zoo", "list"]])
def test_light_commands_do_not_import_torch(args: list[str], tmp_path) -> None:
    env = {"DEEPDREAM_MODELS": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.stderr.strip().splitlines()[-1] == "NO-TORCH", done.stderr


def test_help_names_the_ray_extra() -> None:
    """The help is rich markup: a bare ``[ray]`` would be read as a style tag and vanish from the text."""
    text = " ".join(run("--help").output.replace("│", " ").split())
    assert "Needs deepdream-torch[ray]." in text


def test_every_option_of_every_command_has_help_text() -> None:
    import click
    import typer

    from deepdream_torch.cli.app import app

    def missing(command: click.Command, path: str) -> list[str]:
        found = [f"{path} {'/'.join(p.opts)}" for p in command.params if not getattr(p, "help", None)]
        for name, sub in getattr(command, "commands", {}).items():
            found += missing(sub, f"{path} {name}")
        return found

    assert missing(typer.main.get_command(app), "deepdream") == []
