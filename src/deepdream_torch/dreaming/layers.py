"""Layer lists the CLI, the single-picture mode and the video pipeline share."""

DEFAULT_LAYER = "inception_4c/output"

# The original tool's `customloop`: up the inception stack and back down. Single-picture mode dreams each
# distinct layer once; the video pipeline cycles through the list as it is, duplicates included.
CUSTOMLOOP: tuple[str, ...] = (
    "inception_4c/output",
    "inception_4d/output",
    "inception_4e/output",
    "inception_5a/output",
    "inception_5b/output",
    "inception_5a/output",
    "inception_4e/output",
    "inception_4d/output",
    "inception_4c/output",
)


def distinct(layers: tuple[str, ...] | list[str]) -> list[str]:
    """The layers in first-seen order, each once."""
    return list(dict.fromkeys(layers))
