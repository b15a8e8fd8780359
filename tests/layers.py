"""The layers of ``src/minipool``, read from the source: which module imports which.

One reading of the imports for two readers: ``tests/test_structure.py``
checks with it that no arrow goes from the core to an extra, and
``docs/conf.py`` draws the graph with it into the how-it-works page at
every build (so the page cannot fall behind the code).  An import counts
when it runs: those under ``if TYPE_CHECKING:`` are for type checkers only.
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "minipool"

# The core: what a plain pool is made of, in reading order.
CORE = ["versions", "errors", "future", "waiting", "executor", "thread_pool"]
# Modules the core loads only when a call needs them, inside a function:
# waiting.py the adapter for standard library futures when it is handed one,
# the pool's prepare_context() the worker contexts (3.14+), which only a
# subclass asks for.
ON_DEMAND = {("waiting", "stdlib_futures"), ("thread_pool", "worker_context")}
# Comparison tooling and the tour: not part of the pool, left out of the graph.
TOOLING = {"__init__", "__main__", "compare", "tour"}


def runtime_imports(path: Path) -> list[tuple[str, bool]]:
    """The minipool modules *path* imports when it runs, each with whether the
    import is at module level (False: inside a function, done when called)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top_level = {id(node) for node in tree.body}
    for_type_checkers = {
        id(inner)
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in for_type_checkers:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            names = [base] if base != "minipool" else [f"minipool.{a.name}" for a in node.names]
        for name in names:
            if name.startswith("minipool."):
                found.append((name.split(".")[1], id(node) in top_level))
    return found


def graph() -> dict[str, tuple[list[str], list[str]]]:
    """Every module of the pool and its extras: (imported at load, imported when called)."""
    edges = {}
    for path in sorted(SOURCE.glob("*.py")):
        if path.stem in TOOLING:
            continue
        imports = runtime_imports(path)
        at_load = sorted({name for name, top in imports if top} - {path.stem})
        later = sorted({name for name, top in imports if not top} - set(at_load) - {path.stem})
        edges[path.stem] = (at_load, later)
    return edges


def graph_text() -> str:
    """The graph as text: the core first, in reading order, then the rest."""
    edges = graph()
    on_demand = sorted({module for _, module in ON_DEMAND})
    extras = sorted(set(edges) - set(CORE) - set(on_demand) - {"extended"})

    groups = [
        ("the core: a plain pool loads these, and only these", CORE),
        ("loaded by the core only when a call needs it", on_demand),
        ("the pool you import (loaded with minipool)", ["extended"]),
        ("the seam and the extras: loaded when used", extras),
    ]
    lines = []
    for title, modules in groups:
        lines.append(title)
        for module in modules:
            at_load, later = edges[module]
            lines.append("  %-16s -> %s" % (module, ", ".join(at_load) or "-"))
            if later:
                lines.append("  %-16s    when called: %s" % ("", ", ".join(later)))
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(graph_text(), end="")
