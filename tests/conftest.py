"""Shared fixtures: the implementations under comparison, and thread hygiene.

Most tests are written once, as a scenario that takes ``impl`` (a module with
the concurrent.futures names), and run on the standard library and on
minipool.  A test that states a behaviour therefore also checks that the
standard library really behaves so; a test that *compares* runs the scenario
on both and asserts the observations are equal.
"""

from __future__ import annotations

import concurrent.futures
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Callable, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, settings

import minipool
import minipool.extended
from minipool.compare import normalized

# A fast profile for every run, a long one on demand (HYPOTHESIS_PROFILE=long).
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# A few examples, no shrinking: to see at once whether an implementation
# runs the scenarios at all (tests/clients/distributed_checks.py uses it).
settings.register_profile(
    "smoke",
    max_examples=5,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

IMPLEMENTATIONS = {"stdlib": concurrent.futures, "minipool": minipool}

# How long a test waits for something that should happen at once before it
# calls it a failure (a bound, not a synchronisation: nothing sleeps on it).
PROMPTLY = 10.0


@pytest.fixture(params=list(IMPLEMENTATIONS), ids=list(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> ModuleType:
    """Each implementation in turn: concurrent.futures, then minipool."""
    return IMPLEMENTATIONS[request.param]


def on_both(scenario: Callable[[ModuleType], Any]) -> tuple[Any, Any]:
    """Run *scenario* on the standard library and on minipool; return both observations."""
    return scenario(concurrent.futures), scenario(minipool)


def assert_same(scenario: Callable[[ModuleType], Any]) -> Any:
    """Assert that *scenario* observes the same on both implementations; return it, normalized."""
    stdlib, ours = on_both(scenario)
    assert normalized(ours) == normalized(stdlib)
    return normalized(ours)


def error_of(call: Callable[[], Any]) -> tuple[str, str]:
    """(type name, message) of the exception *call* raises; fails if it returns."""
    try:
        call()
    except BaseException as exc:
        return type(exc).__name__, str(exc)
    raise AssertionError(f"{call} did not raise")


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    """Every thread a test starts must have ended when the test ends."""
    before = set(threading.enumerate())
    yield
    leftover = [t for t in threading.enumerate() if t not in before]
    alive = still_alive_after(leftover, PROMPTLY)
    assert not alive, f"threads still running after the test: {where_threads_are(alive)}"


def still_alive_after(threads: list[threading.Thread], seconds: float) -> list[threading.Thread]:
    """Join *threads* against one deadline, *seconds* away; those still alive then."""
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [t for t in threads if t.is_alive()]


def where_threads_are(threads: list[threading.Thread]) -> str:
    """Each thread's name and the innermost lines of its stack: where it is stuck."""
    frames = sys._current_frames()
    lines = []
    for thread in threads:
        lines.append(f"\n  {thread.name}:")
        frame = frames.get(thread.ident) if thread.ident is not None else None
        if frame is not None:
            for entry in traceback.format_stack(frame)[-4:]:
                lines.append("\n    " + entry.rstrip().replace("\n", "\n    "))
    return "".join(lines)


class Gate:
    """Tasks that report when they start, then block until the test opens their gate."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the two dicts and _all_open
        self.started: dict[Any, threading.Event] = {}
        self.gates: dict[Any, threading.Event] = {}
        self._all_open = False
        self.ran: list[Any] = []

    def _event(self, events: dict[Any, threading.Event], key: Any) -> threading.Event:
        with self._lock:
            event = events.setdefault(key, threading.Event())
            if events is self.gates and self._all_open:
                event.set()
            return event

    def task(self, key: Any, raises: bool = False) -> Any:
        """Say "started", wait for the gate, then return *key* (or raise ValueError(key))."""
        self._event(self.started, key).set()
        assert self._event(self.gates, key).wait(PROMPTLY), f"gate {key} never opened"
        with self._lock:
            self.ran.append(key)
        if raises:
            raise ValueError(key)
        return key

    def wait_started(self, key: Any) -> None:
        assert self._event(self.started, key).wait(PROMPTLY), f"task {key} never started"

    def open(self, key: Any) -> None:
        self._event(self.gates, key).set()

    def open_all(self) -> None:
        with self._lock:
            self._all_open = True
            for event in self.gates.values():
                event.set()


class LogRecords(logging.Handler):
    """Collects the records of the 'concurrent.futures' logger during a test."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def summary(self) -> list[tuple[str, str, str | None]]:
        """(level, message, exception type) of each record."""
        return [
            (
                r.levelname,
                r.getMessage(),
                r.exc_info[0].__name__ if r.exc_info and r.exc_info[0] else None,
            )
            for r in self.records
        ]


@pytest.fixture
def futures_log() -> Iterator[LogRecords]:
    handler = LogRecords()
    logger = logging.getLogger("concurrent.futures")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


class WorkersTally:
    """The tallies of pytest-xdist's workers: the equivalence suite's, and debug mode's."""

    scenarios = 0
    steps = 0
    implementation = ""
    debug: ClassVar[list[int]] = [0, 0, 0]  # blocking waits watched, looks, deadlocks reported


def debug_counts() -> tuple[int, int, int]:
    """What debug mode's detector did in this process (zeros if it was never loaded)."""
    debug = sys.modules.get("minipool.debug")
    if debug is None:
        return (0, 0, 0)
    detector = debug._detector
    return (detector.waits_watched, detector.looks, detector.deadlocks_found)


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # in an xdist worker
        workeroutput["debug"] = debug_counts()


@pytest.hookimpl(optionalhook=True)  # an xdist hook: unknown where xdist is not installed
def pytest_testnodedown(node: Any, error: object) -> None:
    # Called in the controller, in its main thread, once per worker.
    scenarios, steps, implementation = node.workeroutput.get("equivalence", (0, 0, ""))
    WorkersTally.scenarios += scenarios
    WorkersTally.steps += steps
    WorkersTally.implementation = WorkersTally.implementation or implementation
    for i, count in enumerate(node.workeroutput.get("debug", (0, 0, 0))):
        WorkersTally.debug[i] += count


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The equivalence suite's count from xdist's workers; with MINIPOOL_DEBUG=1, debug mode's."""
    if WorkersTally.scenarios:
        terminalreporter.write_line(
            f"equivalence: {WorkersTally.scenarios} generated scenarios ({WorkersTally.steps}"
            f" steps) compared {WorkersTally.implementation} with concurrent.futures on"
            f" Python {sys.version.split()[0]}"
        )
    if minipool.extended.debug_by_default():
        here = debug_counts()
        waits, looks, found = (a + b for a, b in zip(WorkersTally.debug, here))
        terminalreporter.write_line(
            f"debug mode: {waits} blocking waits watched, {looks} looks, {found} deadlocks"
            " reported (tests/test_debug.py makes some on purpose)"
        )
