"""A local Ray instance stays on this machine: its node address and every address its servers listen on are
loopback."""

from __future__ import annotations

import subprocess

import pytest


def test_the_local_instance_uses_the_loopback_address(ray_session) -> None:
    assert ray_session.util.get_node_ip_address() == "127.0.0.1"
    gcs_host = ray_session.get_runtime_context().gcs_address.rsplit(":", 1)[0]
    assert gcs_host == "127.0.0.1"


def test_no_ray_server_listens_beyond_loopback(ray_session) -> None:
    try:
        listing = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("`ss` (iproute2) is not available to list listening sockets")
    ray_lines = [line for line in listing.splitlines() if "raylet" in line or "gcs_server" in line]
    assert ray_lines, "Ray's servers were not found among the listening sockets"
    for line in ray_lines:
        local = line.split()[3]
        assert local.rsplit(":", 1)[0] in ("127.0.0.1", "[::ffff:127.0.0.1]", "[::1]"), line
