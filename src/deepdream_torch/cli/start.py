"""The ``deepdream`` console script's entry: Ctrl-C handled from the first line, before anything heavy is imported.

Importing the CLI (typer, then torch for most commands) takes seconds on a loaded machine; a Ctrl-C then ends like
one at any other moment: one line, exit code 130, nothing written (``deepdream_torch.interrupts``).
"""

from __future__ import annotations

import signal
import sys

from deepdream_torch import interrupts

interrupts.install()  # at import: the console script imports this module before it calls main()

INTERRUPTED = "deepdream: interrupted (Ctrl-C)"
INTERRUPTED_CODE = 130  # the shell's code for SIGINT


def main() -> None:
    """Import the command line and run it; a Ctrl-C before it runs (or after it returns) is one line, exit 130."""
    interrupts.install()
    try:
        from deepdream_torch.cli.app import run_command

        run_command()
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second press now would only cut this line short
        print(INTERRUPTED, file=sys.stderr)
        sys.exit(INTERRUPTED_CODE)
    finally:
        # Done, either way: a press while the interpreter shuts down (torch's exit hooks) would only add a
        # traceback to an outcome already decided.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
