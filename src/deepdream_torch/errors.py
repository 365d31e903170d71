"""The one root of every error a user can cause.

Each package boundary has its own subclass (``CaffeFormatError``, ``DreamError``, ``VideoError``, ``ZooError``);
the CLI turns any of them into one line and exit code 2. Messages say what is wrong and what to do.
"""


class DeepDreamError(Exception):
    """A problem with the user's input or environment, explained in one line."""
