"""Fixtures of the runner tests: torch on one thread (the dream compared exactly between runs)."""

from tests.dreaming.dream_nets import one_thread  # noqa: F401 (a fixture, asked for by name)
