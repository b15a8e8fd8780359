"""A compiled build of minipool's core, tried: ``python -m benchmarks.compiled``.

mypyc (part of mypy: ``pip install mypy``) compiles type-annotated Python
modules to C extensions.  This trial copies ``src/minipool`` into a temporary
directory, makes the changes mypyc needs (each listed in :data:`CHANGES`,
with the error that asks for it), compiles the core modules, and then times
three builds, each in child processes of its own, alternating, over rounds:

- ``source``: the package as it is in ``src/``;
- ``changed``: the copy with mypyc's changes, not compiled (what the changes
  alone cost);
- ``compiled``: that copy, compiled.

Each child measures minipool / standard library and minipool / floor (the
bare :class:`queue.SimpleQueue` hand-off of ``benchmarks.contenders``) on
100,000 no-op calls, submit + as_completed and map, interleaved.
``--suite`` also runs the differential suite against the compiled build.

The result (docs/benchmarks.rst, "A compiled build"): not adopted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
MODULES = ["future", "waiting", "executor", "thread_pool", "hooks", "versions"]


def _drop_between(start: str, end: str) -> Callable[[str], str]:
    """A change that removes the text from *start* up to (not including) *end*."""

    def change(text: str) -> str:
        first = text.index(start)
        return text[:first] + text[text.index(end, first) :]

    return change


def _replace(old: str, new: str, regex: bool = False) -> Callable[[str], str]:
    def change(text: str) -> str:
        if regex:
            return re.sub(old, new, text, flags=re.MULTILINE)
        if old not in text:
            raise LookupError("not in the source any more: %r" % old[:60])
        return text.replace(old, new)

    return change


# (module, what mypyc said, the change): every change makes the source say
# less, or say it less plainly, to a reader; that is the first cost.
CHANGES: List[Tuple[str, str, Callable[[str], str]]] = [
    ("future", "Unsupported statement in class body (__slots__ +=)", _replace(
        '    __slots__: tuple[str, ...] = ("__dict__", "__weakref__", "_done_callbacks",'
        ' "_done_condition")\n    __slots__ += (',
        '    __slots__ = ("__dict__", "__weakref__", "_done_callbacks", "_done_condition", ')),
    ("future", "Unsupported statement in class body (a method only 3.15 has)",
     _drop_between("    if HAS_GET_SNAPSHOT:\n", "    def cancelled(self)")),
    ("thread_pool", "Unsupported statement in class body (3.14's prepare_context)",
     _drop_between("    if HAS_WORKER_CONTEXT:\n        BROKEN", "    def submit(")),
    ("thread_pool", "has no attribute prepare_context (it was dropped above)", _replace(
        "create, resolve = type(self).prepare_context(",
        'create, resolve = getattr(type(self), "prepare_context")(')),
    ("waiting", "Nested class definitions not supported (the types of TYPE_CHECKING)",
     lambda text: _drop_between("if TYPE_CHECKING:\n    from typing_extensions import Protocol",
                                "class _Waiter:")(text).replace(
         "class _Waiter:",
         'DoneAndNotDoneFutures = collections.namedtuple("DoneAndNotDoneFutures", "done not_done")'
         "\n_StdlibFuture = Any\n\n\nclass _Waiter:", 1)),
    ("waiting", "(the generic aliases dropped above)",
     _replace(r"(_StdlibFuture|DoneAndNotDoneFutures)\[\w+\]", "Any", regex=True)),
    ("waiting", '"fs" cannot be deleted', _replace(
        "    del fs, futures  # from here", "    # from here")),
    ("waiting", "KeyError: 'add_result' at run time (a method assigned to another name)",
     _replace("    add_cancelled = add_result\n",
              "    def add_cancelled(self, future: Future[Any]) -> None:\n"
              "        self.add_result(future)\n")),
    *[(module, "TypeError: interpreted classes cannot inherit from compiled"
       " (minipool.ThreadPoolExecutor, dropin's Future, users' subclasses)",
       lambda text: _replace(r"^class (\w+)", r"@mypyc_attr(allow_interpreted_subclasses=True)"
                             r"\nclass \1", regex=True)(text).replace(
           "from __future__ import annotations\n",
           "from __future__ import annotations\n\nfrom mypy_extensions import mypyc_attr\n", 1))
      for module in ("future", "thread_pool", "executor", "waiting", "hooks")],
]  # fmt: skip


def prepare(into: Path) -> Path:
    """Copy src/minipool under *into* with mypyc's changes; return the copy's root."""
    package = into / "minipool"
    shutil.copytree(ROOT / "src" / "minipool", package,
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    for module, _why, change in CHANGES:
        path = package / (module + ".py")
        path.write_text(change(path.read_text()))
    return into


def compile_copy(source: Path, into: Path) -> Path:
    """*source* copied to *into* and its core modules compiled there with mypyc."""
    shutil.copytree(source, into)
    paths = ["minipool/%s.py" % module for module in MODULES]
    command = [sys.executable, "-m", "mypyc", "--ignore-missing-imports", *paths]
    run = subprocess.run(command, check=False, cwd=into, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit("mypyc failed:\n" + run.stdout[-3000:] + run.stderr[-3000:])
    return into


CHILD = """
import concurrent.futures, json, sys
import minipool
from benchmarks import contenders
from benchmarks.timing import interleave, median, timed
tasks, repeats = int(sys.argv[1]), int(sys.argv[2])
calls = [()] * tasks
pairs = [(x,) for x in range(tasks)]
runs = {
    "stdlib": lambda: timed(lambda: contenders.pool_as_completed(
        concurrent.futures, contenders.noop, calls, None)),
    "minipool": lambda: timed(lambda: contenders.pool_as_completed(
        minipool, contenders.noop, calls, None)),
    "floor": lambda: timed(lambda: contenders.floor(contenders.noop, calls, 6)),
    "stdlib map": lambda: timed(lambda: contenders.pool_map(
        concurrent.futures, contenders.identity, range(tasks), None)),
    "minipool map": lambda: timed(lambda: contenders.pool_map(
        minipool, contenders.identity, range(tasks), None)),
    "floor map": lambda: timed(lambda: contenders.floor(contenders.identity, pairs, 6)),
}
t = {name: median(times) for name, times in interleave(runs, repeats).items()}
print(json.dumps({
    "compiled": minipool.future.__file__.endswith(".so"),
    "as_completed / stdlib": t["minipool"] / t["stdlib"],
    "as_completed / floor": t["minipool"] / t["floor"],
    "map / stdlib": t["minipool map"] / t["stdlib map"],
    "map / floor": t["minipool map"] / t["floor map"],
}))
"""


def measure(builds: Dict[str, Path], rounds: int, tasks: int) -> Dict[str, Dict[str, float]]:
    """Medians over *rounds* rounds of one child per build, in alternating order."""
    seen: Dict[str, List[Dict[str, float]]] = {name: [] for name in builds}
    for round_number in range(rounds):
        names = list(builds) if round_number % 2 == 0 else list(builds)[::-1]
        for name in names:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(builds[name]), str(ROOT)])}
            child = subprocess.run([sys.executable, "-c", CHILD, str(tasks), "3"], env=env,
                                   capture_output=True, text=True, check=True)  # fmt: skip
            seen[name].append(json.loads(child.stdout))
    return {
        name: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        for name, runs in seen.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.compiled",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--rounds", type=int, default=5, help="child processes per build")
    parser.add_argument("--tasks", type=int, default=100_000, help="calls per job")
    parser.add_argument("--suite", action="store_true",
                        help="also run tests/equivalence against the compiled build")  # fmt: skip
    parser.add_argument("--json", metavar="PATH", help="also write the medians here")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="minipool-mypyc-") as temporary:
        changed = prepare(Path(temporary, "changed"))
        compiled = compile_copy(changed, Path(temporary, "compiled"))
        print("mypyc compiled %s after %d changes to the source" % (", ".join(MODULES),
                                                                     len(CHANGES)))  # fmt: skip
        for module, why, _change in CHANGES:
            print("  %-12s %s" % (module, why))
        builds = {"source": ROOT / "src", "changed": changed, "compiled": compiled}
        medians = measure(builds, arguments.rounds, arguments.tasks)
        print("\n%-10s" % "build" + "".join("%24s" % key for key in medians["source"]))
        for name, values in medians.items():
            print("%-10s" % name + "".join("%24.3f" % values[key] for key in values))
        if arguments.suite:
            env = {**os.environ, "PYTHONPATH": str(compiled)}
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            suite = subprocess.run([*command, "tests/equivalence"], check=False, cwd=ROOT, env=env)
            medians["suite_exit_status"] = {"tests/equivalence": float(suite.returncode)}
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(medians, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
