"""The README's parameter table documents every flag of the original form, with the default the CLI uses."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from deepdream_torch.cli.app import app

README = Path(__file__).resolve().parents[2] / "README.md"


def table_rows() -> dict[str, tuple[str, str]]:
    """Long form → (short form, default) from the README's parameter table."""
    rows = {}
    for line in README.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`--"):
            rows[cells[1].strip("`")] = (cells[0].strip("`"), cells[2])
    return rows


def test_every_flag_is_in_the_table_with_its_short_form_and_default() -> None:
    rows = table_rows()
    command = typer.main.get_command(app)
    options = [p for p in command.params if "--help" not in p.opts]
    assert len(rows) == len(options)
    for option in options:
        long = next(o for o in option.opts if o.startswith("--"))
        short = next((o for o in option.opts if not o.startswith("--")), "")
        assert long in rows, long
        documented_short, documented_default = rows[long]
        assert documented_short == short, long
        default = option.default
        if isinstance(default, list):
            default = " ".join(default)
        if isinstance(default, (int, float, str)) and not isinstance(default, bool):
            assert re.match(rf"`{re.escape(str(default))}`", documented_default), (long, default, documented_default)
