"""Per-layer-type summary of the reference comparisons, printed at the end of a run of this folder."""

from __future__ import annotations

from tests.converters import opencv_reference


def pytest_terminal_summary(terminalreporter) -> None:
    if not opencv_reference.CHECKS:
        return
    worst: dict[tuple[str, str], opencv_reference.Check] = {}
    counts: dict[tuple[str, str], int] = {}
    for check in opencv_reference.CHECKS:
        key = (check.type, check.reference)
        counts[key] = counts.get(key, 0) + 1
        if key not in worst or check.relative_error > worst[key].relative_error:
            worst[key] = check
    terminalreporter.section("converters: worst relative error per layer type and reference")
    for (type_name, reference), check in sorted(worst.items()):
        terminalreporter.write_line(
            f"{type_name:14s} vs {reference:6s} {counts[type_name, reference]:4d} blobs  "
            f"worst {check.relative_error:.2e} ({check.name} {check.shape})"
        )
