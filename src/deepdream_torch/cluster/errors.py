"""The cluster runner's error: a chunked run that cannot start or cannot finish, said in one line."""

from deepdream_torch.errors import DeepDreamError

INSTALL_HINT = "pip install 'deepdream-torch[ray]'"


class ClusterError(DeepDreamError):
    """A chunked run that cannot go on: Ray missing or unreachable, a worker that kept dying.

    ``exit_code`` is 2 for what the user can fix (install Ray, a wrong address) and 1 for a failure of the
    machines (a worker that died more often than it is restarted).
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code
