"""Options and fixtures of the equivalence suite.

    python -m pytest tests/equivalence                          # minipool
    python -m pytest tests/equivalence --impl=concurrent.futures
    python -m pytest tests/equivalence --impl=yourpackage.futures

``--impl`` names any importable module with the thread-pool names of
``concurrent.futures``.  The reference is always the running interpreter's
``concurrent.futures``.
"""

from __future__ import annotations

import concurrent.futures
import os
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType

import pytest

from conftest import PROMPTLY, still_alive_after, where_threads_are
from minipool import compare

from . import world
from .world import ABANDONED

# Test-only implementations (the deliberately wrong ones in mutants/) are
# importable as "equivalence.mutants.NAME".
_TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)

# How many scenarios the property tests generate, per profile (HYPOTHESIS_PROFILE).
SCENARIOS = {"ci": 150, "long": 3000}

# The time budget of a failing run: shrinking stops ANSWER_WITHIN seconds
# after the run began (but runs for at least MIN_SHRINKING seconds), so that
# the report comes within two minutes of the command.
ANSWER_WITHIN = 100.0
MIN_SHRINKING = 10.0
RUN_BEGAN = time.perf_counter()  # when pytest loaded this file: close enough to the start


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    """Every thread a test starts must have ended when the test ends (tests/conftest.py's
    check), except the ones a diverged candidate left blocked for good.

    Those were given their chance in ``World.force_cleanup``; nothing can end
    them, and the test has already failed with the divergence that explains
    them, so they are named in a warning rather than waited on again.
    """
    before = set(threading.enumerate())
    yield
    abandoned = [t for t in ABANDONED if t.is_alive()]
    ABANDONED.clear()
    leftover = [t for t in threading.enumerate() if t not in before and t not in abandoned]
    alive = still_alive_after(leftover, PROMPTLY)
    assert not alive, f"threads still running after the test: {where_threads_are(alive)}"
    if abandoned:
        warnings.warn(
            f"the candidate left {len(abandoned)} thread(s) blocked after diverging "
            f"(daemon threads: they end with the process): {where_threads_are(abandoned[:3])}",
            stacklevel=1,
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("equivalence", "the differential suite (tests/equivalence)")
    group.addoption(
        "--impl",
        default="minipool",
        metavar="MODULE",
        help="the implementation compared with concurrent.futures (default: minipool)",
    )
    group.addoption(
        "--equivalence-bound",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how long the candidate gets for an event that should come at once (default: 5.0)",
    )
    group.addoption(
        "--catch-only",
        action="store_true",
        help="stop at the first divergence without shrinking it or saving it "
        "(for timing how fast a bug is caught)",
    )
    group.addoption(
        "--answer-within",
        type=float,
        default=ANSWER_WITHIN,
        metavar="SECONDS",
        help="stop shrinking a divergence this long after the run began and report the "
        f"shortest scenario found so far; shrinking gets at least {MIN_SHRINKING:.0f} s "
        f"(default: {ANSWER_WITHIN:.0f})",
    )
    group.addoption(
        "--scenarios",
        type=int,
        default=None,
        metavar="N",
        help="generated scenarios per property test (default: 150, or 3000 with "
        "HYPOTHESIS_PROFILE=long)",
    )


def load_implementation(name: str) -> ModuleType:
    """Import *name* and check that it offers every name the suite uses."""
    try:
        return compare.load_implementation(name)
    except compare.ImplementationError as error:
        raise pytest.UsageError(f"--impl={name}: {error}") from None


def _option(config: pytest.Config, name: str, default: object) -> object:
    # The options exist only when this directory was named on the command line
    # (pytest reads pytest_addoption from the conftest files it starts from);
    # a plain "pytest" from the project root runs the suite with the defaults.
    try:
        return config.getoption(name)
    except ValueError:
        return default


def pytest_configure(config: pytest.Config) -> None:
    # Check --impl before collecting anything: one clear usage error, not one per test.
    module = load_implementation(str(_option(config, "impl", "minipool")))
    world.STDLIB_HANDLERS_COMPARED = issubclass(module.Future, concurrent.futures.Future)


@pytest.fixture(scope="session")
def candidate(pytestconfig: pytest.Config) -> ModuleType:
    """The implementation under test."""
    return load_implementation(str(_option(pytestconfig, "impl", "minipool")))


@pytest.fixture(scope="session")
def bound(pytestconfig: pytest.Config) -> float:
    return float(_option(pytestconfig, "equivalence_bound", 5.0))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def scenarios(pytestconfig: pytest.Config) -> int:
    chosen = _option(pytestconfig, "scenarios", None)
    if chosen is not None:
        return int(chosen)  # type: ignore[call-overload]
    return SCENARIOS.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), SCENARIOS["ci"])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The generated-scenario tests run as long as their scenario count needs, and no longer."""
    count = _option(config, "scenarios", None)
    if count is None:
        count = SCENARIOS.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), SCENARIOS["ci"])
    for item in items:
        if item.name.startswith("test_generated_"):
            item.add_marker(pytest.mark.timeout(120 + 2 * int(count)))  # type: ignore[call-overload]


@pytest.fixture(scope="session")
def catch_only(pytestconfig: pytest.Config) -> bool:
    return bool(_option(pytestconfig, "catch_only", False))


@dataclass(frozen=True)
class RunOptions:
    """What the property tests take from the command line."""

    candidate: ModuleType
    bound: float  # --equivalence-bound
    scenarios: int  # per property test
    catch_only: bool
    shrink_until: float  # a time.perf_counter() value: --answer-within after the run began


@pytest.fixture(scope="session")
def run_options(
    pytestconfig: pytest.Config,
    candidate: ModuleType,
    bound: float,
    scenarios: int,
    catch_only: bool,
) -> RunOptions:
    within = float(_option(pytestconfig, "answer_within", ANSWER_WITHIN))  # type: ignore[arg-type]
    return RunOptions(candidate, bound, scenarios, catch_only, RUN_BEGAN + within)


class Tally:
    """Scenarios and steps run against the candidate, for the summary line."""

    scenarios = 0
    steps = 0
    implementation = ""


# With pytest-xdist (nox runs the suite with -n), the scenarios run in the
# worker processes: each worker hands its tally to the controller, where
# tests/conftest.py adds them up for the one summary line (the controller
# collects nothing, so it never loads this file).
def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # in an xdist worker
        workeroutput["equivalence"] = (Tally.scenarios, Tally.steps, Tally.implementation)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if Tally.scenarios:
        terminalreporter.write_line(
            f"equivalence: {Tally.scenarios} generated scenarios ({Tally.steps} steps) "
            f"compared {Tally.implementation} with concurrent.futures on "
            f"Python {sys.version.split()[0]}"
        )
