"""The video package's errors: what went wrong with a video or a frames folder, and what to do about it."""

from pathlib import Path

from deepdream_torch.errors import DeepDreamError


class VideoError(DeepDreamError):
    """A video or frames folder that cannot be used as asked (missing, corrupt, gaps), in one line."""


class VideoInterrupted(VideoError):
    """A run stopped by Ctrl-C or SIGTERM after closing its files cleanly; the message says how to resume.

    ``done`` counts the frames finished in the folder (resumed ones included) and ``partial`` is the playable
    partial video, when the mode writes one.
    """

    def __init__(self, message: str, done: int, partial: Path | None = None) -> None:
        super().__init__(message)
        self.done = done
        self.partial = partial
