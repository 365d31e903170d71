"""One local Ray instance for the whole test session (two CPUs, this machine only), shut down at the end."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
import torch

from deepdream_torch.cluster.runtime import keep_to_this_machine
from tests.cluster import cluster_helpers

keep_to_this_machine()  # before anything imports Ray: its servers then listen on 127.0.0.1 only


@pytest.fixture(scope="session")
def ray_session() -> Iterator[ModuleType]:
    """Ray started once (about 5 s); the runner sees it initialised and uses it instead of starting its own."""
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'deepdream-torch[ray]'")
    ray.init(
        address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
        log_to_driver=False, logging_level="ERROR",
    )  # fmt: skip
    # The workers are other processes that may not find the tests package: send the stand-in dreamers whole.
    ray.cloudpickle.register_pickle_by_value(cluster_helpers)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
