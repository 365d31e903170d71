"""The folder a job's ``deepdream`` command runs in: one where ``data/`` is the studio's data folder.

The CLI reads and writes ``data/...`` relative to where it runs (frames, dream videos). When the data folder is
called ``data``, that is its parent, and the command shown in the page is what a person would type there; for any
other name, ``.studio/cwd/data`` is a link to it.
"""

from __future__ import annotations

from pathlib import Path


def workdir_for(data: Path) -> Path:
    data = Path(data).resolve()
    if data.name == "data":
        return data.parent
    folder = data / ".studio" / "cwd"
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "data"
    if not link.is_symlink():
        link.symlink_to(data, target_is_directory=True)
    return folder
