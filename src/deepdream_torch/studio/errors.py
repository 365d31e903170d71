"""The studio's one error type: a request the page made that cannot be served, said in one line."""

from __future__ import annotations

from deepdream_torch.errors import DeepDreamError


class StudioError(DeepDreamError):
    """A refused or impossible request; ``status`` is the HTTP status the page gets with the one line."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
