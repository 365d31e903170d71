"""``--channels 12,40-45``: the channel list the user typed, as numbers."""

from __future__ import annotations

from deepdream_torch.cli.errors import CliError


def parse_channels(text: str) -> tuple[int, ...]:
    """``"12,40-45"`` → ``(12, 40, 41, 42, 43, 44, 45)``: numbers and inclusive ranges, comma-separated."""
    picked: list[int] = []
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise CliError(
                f"--channels {text!r}: {part!r} is not a channel number or range; write e.g. 12,40-45"
            ) from None
        if last < first:
            raise CliError(f"--channels {text!r}: the range {part} runs backwards; write {last}-{first}")
        picked.extend(range(first, last + 1))
    return tuple(dict.fromkeys(picked))
