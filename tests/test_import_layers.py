"""The house's imports, read from the source with ``ast``: no module imports its own importers (no circle), and no
package imports one on a higher floor of caffe → converters → net → dreaming → video/picture → runner → cluster →
cli/studio.

Every import counts, wherever it stands: at the top, inside a function (a lazy import is still a dependency) and
under ``TYPE_CHECKING`` (the one circle this house had, ``video/flow.py`` ↔ ``video/frame.py``, ran through one).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "deepdream_torch"
SOURCE = Path(__file__).resolve().parents[1] / "src" / PACKAGE

# Floors from the ground up; a module may import its own floor and the ones below. The ground is the root's
# shared modules (the error root, atomic writes, the safe-paths rules). ``weights`` (the zoo: downloads, the
# conversion cache) is not in the order: it loads nets (``net.load``) and only front ends use it, so it
# stands on a floor of its own just above ``net``. ``runner`` and ``studio`` may not exist yet: their floors wait.
FLOORS = (
    ("errors", "atomic", "safe_paths", "interrupts"),
    ("caffe",),
    ("converters",),
    ("net",),
    ("weights",),
    ("dreaming",),
    ("video", "picture"),
    ("runner",),
    ("cluster",),
    ("cli", "studio"),
)
FLOOR_OF = {part: level for level, parts in enumerate(FLOORS) for part in parts}
# The package root is a facade (``deepdream_torch.dream``, ``load_caffe``): it loads from above on first use, and
# nothing inside imports it.
FACADE = PACKAGE


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(SOURCE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules ``name`` imports: ``from a.b import c`` counts as ``a.b.c`` when that is a module,
    else as ``a.b``; relative imports are resolved against ``name``'s package."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {target for target in found if target in known and target != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def floor(name: str) -> int | None:
    parts = name.split(".")
    return FLOOR_OF.get(parts[1]) if len(parts) > 1 else None


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def upward(edges: dict[str, set[str]]) -> list[str]:
    """``a -> b`` for every import of a module on a higher floor (or in a package no floor names)."""
    found = []
    for name, targets in sorted(edges.items()):
        if name == FACADE:
            continue
        here = floor(name)
        for target in sorted(targets):
            there = floor(target)
            if here is None or there is None or there > here:
                found.append(f"{name} -> {target}")
    return found


def test_the_reader_sees_every_package_and_resolves_its_imports() -> None:
    edges = graph()
    assert {name.split(".")[1] for name in edges if "." in name} <= set(FLOOR_OF), "a package without a floor"
    # Checked against imports known to be there, so that a reader that resolves nothing cannot pass.
    assert "deepdream_torch.video.frame" in edges["deepdream_torch.video.motion"]
    assert "deepdream_torch.dreaming.pull" in edges["deepdream_torch.video.carry"]
    assert "deepdream_torch.video.paths" in edges["deepdream_torch.cli.preview"]  # `from ...video import paths`


def test_no_module_imports_its_own_importers() -> None:
    assert cycles(graph()) == []


def test_no_package_imports_a_higher_floor() -> None:
    assert upward(graph()) == []


def test_the_checks_catch_a_circle_and_an_upward_import() -> None:
    made_up = {
        "deepdream_torch.video.a": {"deepdream_torch.video.b"},
        "deepdream_torch.video.b": {"deepdream_torch.video.a", "deepdream_torch.cli.app"},
        "deepdream_torch.cli.app": set(),
    }
    assert cycles(made_up) == [["deepdream_torch.video.a", "deepdream_torch.video.b"]]
    assert upward(made_up) == ["deepdream_torch.video.b -> deepdream_torch.cli.app"]
