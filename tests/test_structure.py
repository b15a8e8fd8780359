"""The shape of the package: the standard library's API, no import of it, documented."""

from __future__ import annotations

import ast
import builtins
import concurrent.futures
import concurrent.futures.thread
import inspect
import os
import subprocess
import sys
from inspect import Parameter
from pathlib import Path
from typing import Any

import pytest

import minipool
import minipool.thread_pool
from layers import CORE, ON_DEMAND, TOOLING, graph, graph_text, runtime_imports
from minipool import versions

SOURCE = Path(minipool.__file__).parent
# Every module of the package but one: minipool.dropin exists to subclass the
# standard library's classes (its docstring says why), and is never imported by
# the others.
CORE_MODULES = sorted(p for p in SOURCE.glob("*.py") if p.name != "dropin.py")

# The thread-pool half of concurrent.futures' public names: not the process
# pool, nor 3.14's InterpreterPoolExecutor (a pool of subinterpreters).
STDLIB_NAMES = sorted(
    set(concurrent.futures.__all__) - {"ProcessPoolExecutor", "InterpreterPoolExecutor"}
)


def test_every_thread_pool_name_of_the_standard_library_is_exported() -> None:
    assert set(STDLIB_NAMES) <= set(minipool.__all__)
    # InvalidStateError can be imported from concurrent.futures on every
    # version, but its __all__ lists it only from 3.13; minipool's always does.
    # minipool's own extras (stats, debug mode, trace) are exported beside them.
    extras = {"BrokenThreadPool", "DoneAndNotDoneFutures", "InvalidStateError"}
    extras |= {"DeadlockError", "DurationSummary", "PoolStats", "set_debug", "trace"}
    extras |= {"RejectedError"}  # the bounded queue (issue 8's extensions)
    assert set(minipool.__all__) - set(STDLIB_NAMES) == extras - set(STDLIB_NAMES)
    assert minipool.InvalidStateError.__name__ == concurrent.futures.InvalidStateError.__name__
    for name in minipool.__all__:
        assert getattr(minipool, name) is not None


@pytest.mark.parametrize("module", CORE_MODULES, ids=lambda path: path.name)
def test_core_module_never_imports_concurrent_futures(module: Path) -> None:
    tree = ast.parse(module.read_text(), filename=str(module))
    imported = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    assert not [name for name in imported if name.startswith("concurrent")]


def test_using_minipool_does_not_load_concurrent_futures() -> None:
    code = (
        "import sys, minipool\n"
        "with minipool.ThreadPoolExecutor(2) as pool:\n"
        "    list(minipool.as_completed([pool.submit(pow, 2, 3)]))\n"
        "print(sorted(m for m in sys.modules if m.startswith('concurrent')))\n"
    )
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    assert child.stdout == "[]\n"


def test_constants_have_the_standard_librarys_values() -> None:
    for name in ("FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"):
        assert getattr(minipool, name) == getattr(concurrent.futures, name)


def bases(cls: type) -> list[str]:
    return [klass.__name__ for klass in cls.__mro__]


@pytest.mark.parametrize(
    "name",
    ["CancelledError", "TimeoutError", "InvalidStateError", "BrokenExecutor", "BrokenThreadPool"],
)
def test_exceptions_have_the_standard_librarys_class_hierarchy(name: str) -> None:
    ours = getattr(minipool, name)
    stdlib = getattr(concurrent.futures, name, None) or getattr(concurrent.futures.thread, name)
    assert bases(ours) == bases(stdlib)


def parameters(function: Any) -> list[tuple[str, Any, Any]]:
    """Names, kinds and defaults of the parameters (annotations aside: the stdlib has none)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


SIGNATURES = [
    ("wait", None),
    ("as_completed", None),
    *[
        ("Future", method)
        for method in (
            "__init__",
            "cancel",
            "cancelled",
            "running",
            "done",
            "result",
            "exception",
            "add_done_callback",
            "set_running_or_notify_cancel",
            "set_result",
            "set_exception",
        )
    ],
    *[("Executor", method) for method in ("submit", "map", "shutdown", "__enter__", "__exit__")],
    *[("ThreadPoolExecutor", method) for method in ("__init__", "submit", "map", "shutdown")],
]


# minipool's opt-in extras: keyword-only, after the standard library's
# parameters, and off (None or False) by default, so no stdlib call reaches them.
EXTRA_PARAMETERS = {
    ("ThreadPoolExecutor", "__init__"): [
        ("debug", Parameter.KEYWORD_ONLY, None),
        ("max_pending", Parameter.KEYWORD_ONLY, None),
        ("on_full", Parameter.KEYWORD_ONLY, None),
        ("submit_timeout", Parameter.KEYWORD_ONLY, None),
        ("copy_context", Parameter.KEYWORD_ONLY, False),
        ("stats", Parameter.KEYWORD_ONLY, False),
    ],
}
# map()'s buffersize arrived in Python 3.14: minipool has it on every version.
if sys.version_info < (3, 14):
    for _cls in ("Executor", "ThreadPoolExecutor"):
        EXTRA_PARAMETERS[(_cls, "map")] = [("buffersize", Parameter.KEYWORD_ONLY, None)]


@pytest.mark.parametrize(("name", "method"), SIGNATURES, ids=lambda x: str(x))
def test_signature_is_the_standard_librarys(name: str, method: str | None) -> None:
    ours, stdlib = getattr(minipool, name), getattr(concurrent.futures, name)
    if method is not None:
        ours, stdlib = getattr(ours, method), getattr(stdlib, method)
    extras = EXTRA_PARAMETERS.get((name, method), [])
    # Python puts **kwargs last: 3.14's **ctxkwargs of ThreadPoolExecutor
    # comes after minipool's keyword-only extras.
    theirs = parameters(stdlib)
    var_keyword = [p for p in theirs if p[1] is Parameter.VAR_KEYWORD]
    positional_and_keyword = [p for p in theirs if p[1] is not Parameter.VAR_KEYWORD]
    assert parameters(ours) == positional_and_keyword + extras + var_keyword


def test_the_plain_pool_has_exactly_the_standard_librarys_constructor() -> None:
    # The extras' keywords belong to minipool.ThreadPoolExecutor (extended);
    # the core's pool takes only what the standard library's takes.
    plain = minipool.thread_pool.ThreadPoolExecutor.__init__
    assert parameters(plain) == parameters(concurrent.futures.ThreadPoolExecutor.__init__)


def public_objects() -> list[tuple[str, Any]]:
    objects = []
    for name in minipool.__all__:
        obj = getattr(minipool, name)
        objects.append((name, obj))
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attribute, value in vars(obj).items():
                if not attribute.startswith("_") and callable(value):
                    objects.append((f"{name}.{attribute}", value))
    return objects


PUBLIC_OBJECTS = public_objects()


# Ids by name only: an object's repr holds its address, which differs between
# processes (pytest-xdist's workers must collect the same ids).
@pytest.mark.parametrize(("name", "obj"), PUBLIC_OBJECTS, ids=[name for name, _ in PUBLIC_OBJECTS])
def test_every_public_object_has_a_docstring(name: str, obj: Any) -> None:
    if isinstance(obj, str):  # the constants: documented in the reference
        return
    assert inspect.getdoc(obj), f"{name} has no docstring"


def test_only_the_versions_module_reads_the_python_version() -> None:
    # One place for the facts that differ between releases (errors.py's one
    # test is spelled out for type checkers, and must agree with it).
    readers = sorted(
        path.name for path in SOURCE.rglob("*.py") if "version_info" in path.read_text()
    )
    assert readers == ["errors.py", "versions.py"]
    assert (minipool.TimeoutError is builtins.TimeoutError) is versions.TIMEOUT_ERROR_IS_BUILTIN


@pytest.mark.parametrize("module", CORE)
def test_a_core_module_imports_only_the_core(module: str) -> None:
    for imported, at_top in runtime_imports(SOURCE / f"{module}.py"):
        if imported in CORE:
            continue
        assert (module, imported) in ON_DEMAND and not at_top, (
            f"the core module {module} imports the extra {imported}"
        )


def test_the_graph_has_every_module_and_no_arrow_from_the_core_to_an_extra() -> None:
    edges = graph()
    modules = {path.stem for path in SOURCE.glob("*.py")} - TOOLING
    assert set(edges) == modules
    for module in CORE:
        at_load, later = edges[module]
        assert set(at_load) <= set(CORE)
        assert {(module, name) for name in later} <= ON_DEMAND
    text = graph_text()
    assert all(f"  {module} " in text for module in modules)


def test_importing_and_using_a_plain_pool_loads_no_extra() -> None:
    code = (
        "import sys, minipool\n"
        "def loaded():\n"
        "    return sorted(m.split('.')[1] for m in sys.modules if m.startswith('minipool.'))\n"
        "with minipool.ThreadPoolExecutor(2) as pool:\n"
        "    futures = [pool.submit(pow, 2, n) for n in range(4)]\n"
        "    minipool.wait(futures)\n"
        "    list(minipool.as_completed(futures)), list(pool.map(abs, [-1, -2]))\n"
        "print(loaded())\n"
        "minipool.ThreadPoolExecutor(1, stats=True).shutdown()\n"
        "print(loaded())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MINIPOOL_DEBUG"}
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert child.returncode == 0, child.stderr
    plain, with_stats = (ast.literal_eval(line) for line in child.stdout.splitlines())
    assert set(plain) == set(CORE) | {"extended"}
    assert set(with_stats) - set(plain) == {"hooks", "stats"}  # the seam comes with an extra
