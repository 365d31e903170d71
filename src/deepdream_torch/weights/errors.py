"""The one error type of the model store, the zoo and the downloader."""

from deepdream_torch.errors import DeepDreamError


class ZooError(DeepDreamError):
    """A model cannot be found, fetched, verified or cached; the message says what to do, in one line."""
