"""Ray, imported here only and only when a chunked run starts: connecting, sizing workers, starting actors.

``--ray`` or ``--ray local`` starts a Ray instance on this machine (on the loopback address) unless
``RAY_ADDRESS`` names a running cluster; ``--ray auto`` or ``--ray HOST:PORT`` joins a running cluster.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from deepdream_torch.cluster.errors import INSTALL_HINT, ClusterError
from deepdream_torch.cluster.worker import ChunkWorker

LOCAL = "local"
LOOPBACK = "127.0.0.1"
# Ray swaps a loopback node address for the machine's network address (so that other machines could join) and
# then listens on every interface, unless this is off; it is read when Ray is imported, and inherited by the
# processes Ray starts. A local instance is for this machine alone.
_CLUSTER_SWITCH = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
# A worker that dies (out of memory, a lost machine) is started again and its chunk retried this many times.
RESTARTS = 3


def require_ray() -> ModuleType:
    """The ``ray`` module, or ClusterError (exit 2) saying how to install it."""
    try:
        import ray
    except ImportError:
        raise ClusterError(f"--ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def keep_to_this_machine() -> None:
    """Make a Ray instance started from this process listen on the loopback address only (call before
    importing Ray)."""
    os.environ[_CLUSTER_SWITCH] = "0"


@contextmanager
def connected(address: str, cpus: int | None = None) -> Iterator[ModuleType]:
    """Ray connected to ``address`` for the block; a Ray instance started here is shut down on exit.

    When this process already holds a Ray connection (a notebook, the test session) it is used as it is.
    """
    join = os.environ.get("RAY_ADDRESS") if address == LOCAL else address
    if not join:
        keep_to_this_machine()
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    options: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False}
    try:
        if join:
            ray.init(address=join, **options)
        else:
            ray.init(address=LOCAL, num_cpus=cpus, _node_ip_address=LOOPBACK, **options)
    except (ConnectionError, ValueError, RuntimeError) as error:
        raise ClusterError(
            f"cannot connect to the Ray cluster at {join or 'this machine'} ({error}): start it with "
            "`ray start --head` or give its address to --ray"
        ) from None
    try:
        yield ray
    finally:
        ray.shutdown()


@dataclass(frozen=True)
class Sizing:
    """How many workers, with how many torch threads and which Ray resources each."""

    workers: int
    threads: int
    cpus: float
    gpus: float


def size_workers(ray: ModuleType, workers: int | None, threads: int | None, cuda: bool) -> Sizing:
    """Workers and threads for the cluster Ray sees: one worker per GPU when dreaming on CUDA, else enough CPUs
    for at least two threads each; each worker's threads are its share of the cluster's CPUs."""
    resources = ray.cluster_resources()
    cpus = max(1, int(resources.get("CPU", 1)))
    gpus = int(resources.get("GPU", 0))
    if workers is None:
        workers = gpus if cuda and gpus else max(1, cpus // 2)
    share = cpus / workers
    threads = threads or max(1, math.floor(share))
    # A worker asks Ray for no more than its share, so that --workers N above the CPU count still starts.
    return Sizing(workers, threads, min(float(threads), share), 1.0 if cuda and gpus else 0.0)


class NetFromObjectStore:
    """A picklable loader of the net the driver put in Ray's object store once (every worker reads that copy).

    It goes with each chunk rather than to the worker's constructor: Ray cannot promise a restarted actor the
    objects its constructor was given, and a worker loads the net on its first chunk only. The reference travels
    inside a list so that Ray hands it over unresolved; the driver keeps it alive for the run.
    """

    def __init__(self, reference: Any) -> None:
        self.references = [reference]

    def __call__(self) -> Any:
        import ray

        return ray.get(self.references[0])


def start_workers(ray: ModuleType, sizing: Sizing, *args: Any) -> list[Any]:
    """``sizing.workers`` ChunkWorker actors built from ``args`` (recipe, job), restarted and their chunk
    retried when one dies."""
    actor = ray.remote(max_restarts=RESTARTS, max_task_retries=RESTARTS)(ChunkWorker)
    options = {"num_cpus": sizing.cpus, "num_gpus": sizing.gpus}
    return [actor.options(**options).remote(*args, sizing.threads) for _ in range(sizing.workers)]
