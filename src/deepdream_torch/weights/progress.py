"""Download progress drawn on a rich `Progress` that the caller (the CLI) creates on its own console."""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


def download_columns() -> tuple[ProgressColumn, ...]:
    """Columns for a download bar: name, bar, bytes done/total, speed, time left."""
    return (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )


class RichDownloadProgress:
    """A `DownloadProgress` callback (label, done, total) that keeps one rich task per downloaded file.

    Usage: ``with Progress(*download_columns(), console=console) as bars:
    ensure_model(name, progress=RichDownloadProgress(bars))``.
    """

    def __init__(self, bars: Progress) -> None:
        self._bars = bars
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, label: str, done: int, total: int | None) -> None:
        task = self._tasks.get(label)
        if task is None:
            task = self._tasks[label] = self._bars.add_task(label, total=total)
        self._bars.update(task, completed=done, total=total)
