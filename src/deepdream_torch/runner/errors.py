"""The runner's error: a run value that cannot run as given (a mode without its source, a dream run without a net)."""

from deepdream_torch.errors import DeepDreamError


class RunError(DeepDreamError):
    """A run value that cannot run as given, in one line."""
