"""The dream kernel's one error type."""

from deepdream_torch.errors import DeepDreamError


class DreamError(DeepDreamError):
    """A dream cannot run as asked (unknown layer, unreadable picture, settings out of range, missing device)."""
