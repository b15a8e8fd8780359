"""Run CPython's own tests for concurrent.futures against another implementation.

    python tests/cpython_suite/run.py [--impl minipool] [--only PATTERN] [--json PATH]

The running interpreter's test sources (``Lib/test/test_concurrent_futures``,
a package from 3.12, one module before) are copied to a temporary directory
and their imports are pointed at the implementation under test:

- ``from concurrent import futures`` and ``from concurrent.futures._base
  import ...`` get a small module, ``futures_under_test``, that re-exports the
  implementation's public names (plus the standard library's
  ``ProcessPoolExecutor`` and, from 3.14, ``InterpreterPoolExecutor``, only
  so that the process- and interpreter-pool classes can be defined; they are
  not run);
- the code that some tests run in a child Python (``from concurrent.futures
  import ThreadPoolExecutor``) imports from the implementation instead.

Nothing else in the tests changes.  The test classes that exercise the
thread pool (``ThreadPool*``) and the future (``FutureTests``) run; the
process-pool classes do not apply.  A few single tests read private internals
of the standard library; they are listed in EXCLUDED with the reason.

Prints a summary and, with --json, writes every outcome.  Exit status 0 when
no selected test failed or errored.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import shutil
import sys
import sysconfig
import tempfile
import time
import unittest
from pathlib import Path

from minipool import compare

# Tests that read private internals of the standard library's pool, beyond
# the two attributes minipool keeps on purpose (_max_workers, _threads).
# Keyed by the test's name without its class (the same test runs in several
# classes); the value is the reason, printed in the report.
EXCLUDED: dict[str, str] = {
    "test_exception_with_success": (
        "completes the future by hand: takes the private Future._condition, writes _state"
        " and _exception and calls notify_all(); minipool has no _condition"
    ),
}

PACKAGE = "cpython_cf"  # the temporary package the tests are copied into


def find_test_sources() -> Path | None:
    """The running interpreter's test_concurrent_futures (package or module), if it ships one."""
    test_dir = Path(sysconfig.get_paths()["stdlib"]) / "test"
    for candidate in (
        test_dir / "test_concurrent_futures",
        test_dir / "test_concurrent_futures.py",
    ):
        if candidate.exists():
            return candidate
    return None


SHIM = '''"""The names the copied tests import from concurrent.futures, taken from {impl}."""
import importlib

from concurrent.futures import ProcessPoolExecutor, process  # only to define the process classes

try:  # 3.14+: likewise, only to define the interpreter-pool classes (not run either)
    from concurrent.futures import InterpreterPoolExecutor
except ImportError:
    pass

_impl = importlib.import_module({impl!r})

FIRST_COMPLETED = _impl.FIRST_COMPLETED
FIRST_EXCEPTION = _impl.FIRST_EXCEPTION
ALL_COMPLETED = _impl.ALL_COMPLETED
CancelledError = _impl.CancelledError
TimeoutError = _impl.TimeoutError
InvalidStateError = _impl.InvalidStateError
BrokenExecutor = _impl.BrokenExecutor
Future = _impl.Future
Executor = _impl.Executor
wait = _impl.wait
as_completed = _impl.as_completed
ThreadPoolExecutor = _impl.ThreadPoolExecutor


class thread:  # concurrent.futures.thread
    BrokenThreadPool = getattr(_impl, "BrokenThreadPool", None) or importlib.import_module(
        {impl!r} + ".thread"
    ).BrokenThreadPool


# The state names: the tests make futures in a given state by writing them
# to the private attribute _state (util.create_future).
PENDING = "PENDING"
RUNNING = "RUNNING"
CANCELLED = "CANCELLED"
CANCELLED_AND_NOTIFIED = "CANCELLED_AND_NOTIFIED"
FINISHED = "FINISHED"
'''


def rewrite(source: str, impl: str) -> str:
    """Point one test file's imports of concurrent.futures at the implementation under test."""
    shim = f"{PACKAGE}.futures_under_test"
    source = source.replace("from concurrent import futures\n", f"import {shim} as futures\n")
    source = source.replace("from concurrent.futures._base import", f"from {shim} import")
    # Code run in a child interpreter (python -I: only installed packages import).
    source = re.sub(
        r"from concurrent\.futures import (\{executor_type\}|ThreadPoolExecutor)",
        rf"from {impl} import \1",
        source,
    )
    return source


def prepare(sources: Path, impl: str, into: Path) -> list[str]:
    """Copy and rewrite the tests under *into*; return the names of the test modules."""
    package = into / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "futures_under_test.py").write_text(SHIM.format(impl=impl))
    files = sorted(sources.glob("*.py")) if sources.is_dir() else [sources]
    target_dir = package / sources.name if sources.is_dir() else package
    target_dir.mkdir(exist_ok=True)
    for file in files:
        (target_dir / file.name).write_text(rewrite(file.read_text(), impl))
    if not sources.is_dir():
        return [f"{PACKAGE}.test_concurrent_futures"]
    # The package's load_tests() only discovers inside the standard library's
    # directory, so its test modules are loaded one by one.
    return [
        f"{PACKAGE}.test_concurrent_futures.{file.stem}"
        for file in files
        if file.stem.startswith("test_")
    ]


def iter_cases(suite: unittest.TestSuite):  # type: ignore[no-untyped-def]
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from iter_cases(item)
        else:
            yield item


def applies(test: unittest.TestCase) -> bool:
    """The thread-pool and future tests; the process- and interpreter-pool ones do not apply."""
    class_name = type(test).__name__
    return class_name.startswith("ThreadPool") or class_name == "FutureTests"


class Recorder(unittest.TextTestResult):
    """A TextTestResult that also keeps every outcome by test id."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.outcomes: dict[str, dict[str, str]] = {}

    def addSuccess(self, test):  # type: ignore[no-untyped-def]
        super().addSuccess(test)
        self.outcomes[test.id()] = {"outcome": "passed"}

    def addFailure(self, test, err):  # type: ignore[no-untyped-def]
        super().addFailure(test, err)
        self.outcomes[test.id()] = {"outcome": "failed", "detail": self.failures[-1][1]}

    def addError(self, test, err):  # type: ignore[no-untyped-def]
        super().addError(test, err)
        if self.errors and self.errors[-1][0] is test:
            detail = self.errors[-1][1]
        else:
            detail = str(err[1])
        self.outcomes[test.id()] = {"outcome": "error", "detail": detail}

    def addSkip(self, test, reason):  # type: ignore[no-untyped-def]
        super().addSkip(test, reason)
        self.outcomes[test.id()] = {"outcome": "skipped", "detail": reason}

    def addExpectedFailure(self, test, err):  # type: ignore[no-untyped-def]
        super().addExpectedFailure(test, err)
        self.outcomes[test.id()] = {"outcome": "expected failure"}

    def addUnexpectedSuccess(self, test):  # type: ignore[no-untyped-def]
        super().addUnexpectedSuccess(test)
        self.outcomes[test.id()] = {"outcome": "failed", "detail": "unexpected success"}


def debug_mode_counts() -> dict[str, int] | None:
    """What minipool's debug mode watched, if MINIPOOL_DEBUG=1 turned it on (printed too)."""
    debug = sys.modules.get("minipool.debug")
    if debug is None or not debug.debug_by_default():
        return None
    detector = debug._detector
    print("  " + detector.summary())
    return {
        "waits_watched": detector.waits_watched,
        "looks": detector.looks,
        "deadlocks_found": detector.deadlocks_found,
    }


def _check_implementation(parser: argparse.ArgumentParser, name: str) -> None:
    """Exit with a one-line usage error unless *name* offers what the shim imports."""
    try:
        compare.load_implementation(name)
    except compare.ImplementationError as error:
        parser.error(f"--impl {name}: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--impl", default="minipool", help="module under test (default minipool)")
    parser.add_argument("--only", default="", help="run only tests whose id contains this")
    parser.add_argument("--json", type=Path, help="write every outcome to this file")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    _check_implementation(parser, args.impl)

    version = "%d.%d.%d" % sys.version_info[:3]
    sources = find_test_sources()
    report: dict[str, object] = {"python": version, "impl": args.impl}
    if sources is None:
        report["unavailable"] = (
            f"Python {version} at {sys.prefix} ships without test_concurrent_futures"
        )
        print(report["unavailable"])
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="cpython-cf-"))
    try:
        names = prepare(sources, args.impl, workdir)
        sys.path.insert(0, str(workdir))
        loaded = unittest.defaultTestLoader.loadTestsFromNames(names)
        selected, not_applicable, excluded = unittest.TestSuite(), [], {}
        # An implementation whose futures keep the private _condition (minipool.dropin)
        # runs the tests that use it.
        keeps_condition = hasattr(importlib.import_module(args.impl).Future(), "_condition")
        for test in iter_cases(loaded):
            test_name = test.id().rsplit(".", 1)[-1]
            if not applies(test):
                not_applicable.append(test.id())
            elif args.only and args.only not in test.id():
                continue
            elif test_name in EXCLUDED and not keeps_condition:
                excluded[test.id()] = EXCLUDED[test_name]
            else:
                selected.addTest(test)

        # The tests set up and tear down module fixtures through the suite;
        # run them as unittest would.
        started = time.monotonic()
        runner = unittest.TextTestRunner(
            resultclass=Recorder, verbosity=2 if args.verbose else 1, stream=sys.stderr
        )
        result = runner.run(selected)
        elapsed = time.monotonic() - started
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    assert isinstance(result, Recorder)
    outcomes = result.outcomes
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome["outcome"]] = counts.get(outcome["outcome"], 0) + 1
    report.update(
        sources=str(sources),
        seconds=round(elapsed, 1),
        counts=counts,
        not_applicable=len(not_applicable),
        excluded=excluded,
        outcomes=outcomes,
    )
    print(
        f"CPython {version} concurrent.futures tests against {args.impl}: "
        + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        + f"; {len(excluded)} excluded, {len(not_applicable)} process- or interpreter-pool"
        + " tests not applicable"
        + f" ({elapsed:.1f} s)"
    )
    report["debug"] = debug_mode_counts()
    for test_id, reason in excluded.items():
        print(f"  excluded {test_id}: {reason}")
    for test_id, outcome in outcomes.items():
        if outcome["outcome"] == "skipped":
            print(f"  skipped {test_id}: {outcome['detail']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
