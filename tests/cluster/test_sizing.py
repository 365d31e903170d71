"""How many workers a cluster gets and how many torch threads each, from what Ray says the cluster holds."""

from __future__ import annotations

from types import SimpleNamespace

from deepdream_torch.cluster.runtime import size_workers


def cluster(cpus: int, gpus: int = 0) -> SimpleNamespace:
    return SimpleNamespace(cluster_resources=lambda: {"CPU": float(cpus), "GPU": float(gpus)})


def test_one_worker_per_gpu_when_dreaming_on_cuda_with_the_cpus_shared_out() -> None:
    sizing = size_workers(cluster(32, 8), None, None, cuda=True)
    assert (sizing.workers, sizing.threads, sizing.gpus) == (8, 4, 1.0)


def test_on_cpus_every_worker_gets_at_least_two_threads() -> None:
    sixteen = size_workers(cluster(16), None, None, cuda=False)
    assert (sixteen.workers, sixteen.threads) == (8, 2)
    two_cores = size_workers(cluster(2), None, None, cuda=False)
    assert (two_cores.workers, two_cores.threads) == (1, 2)
    assert size_workers(cluster(1), None, None, cuda=False).workers == 1  # never none


def test_more_workers_than_cpus_still_start_on_a_share_of_a_cpu_each() -> None:
    sizing = size_workers(cluster(2), 4, None, cuda=False)
    assert (sizing.workers, sizing.threads) == (4, 1)
    assert sizing.cpus * sizing.workers <= 2  # what they ask Ray for fits the cluster, so none waits forever
    assert size_workers(cluster(8), 2, 1, cuda=False).threads == 1  # --threads wins
