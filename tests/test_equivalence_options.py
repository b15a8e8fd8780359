"""The equivalence suite's --impl option: a bad module is one clear usage error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent


def run_suite(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(TESTS / "equivalence"), "-q", *options],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=TESTS.parent,
    )


@pytest.mark.parametrize(
    ("module", "message"),
    [
        ("no_such_module_here", "--impl=no_such_module_here: cannot import it"),
        ("json", "--impl=json: the module lacks ThreadPoolExecutor, Future, wait"),
    ],
)
def test_an_unusable_impl_is_a_usage_error_before_any_test_runs(module: str, message: str) -> None:
    run = run_suite(f"--impl={module}")
    assert run.returncode == pytest.ExitCode.USAGE_ERROR
    assert message in run.stderr
    assert "passed" not in run.stdout and "error" not in run.stdout


def test_the_summary_names_the_implementation_and_counts_scenarios() -> None:
    run = run_suite("--impl=concurrent.futures", "--scenarios=3", "-k", "waits")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "generated scenarios" in run.stdout
    assert "compared concurrent.futures with concurrent.futures" in run.stdout
