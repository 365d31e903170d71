"""``deepdream studio``: start the server on loopback with a fresh token and print the address to open."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from deepdream_torch.studio.errors import StudioError
from deepdream_torch.studio.security import LOOPBACK_NAMES, host_names


def serve(data: Path, port: int = 8765, host: str = "127.0.0.1") -> None:
    """Serve the studio for the data folder until Ctrl-C; a host other than loopback is said loudly."""
    try:
        import uvicorn

        from deepdream_torch.studio.app import create_app
    except ImportError as error:
        raise StudioError(f"the studio needs its extra: pip install 'deepdream-torch[studio]' ({error.name} is missing)") from error
    token = secrets.token_urlsafe(24)
    app = create_app(Path(data), token, host_names(host))
    shown = f"[{host}]" if ":" in host else host
    if host not in LOOPBACK_NAMES and not host.startswith("127."):
        print(f"WARNING: the studio listens on {host}, not only on this machine: anyone who can reach it and has the"
              " token can read and dream the files in the data folder", file=sys.stderr, flush=True)
    print(f"deepdream studio: open http://{shown}:{port}/?token={token}", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
