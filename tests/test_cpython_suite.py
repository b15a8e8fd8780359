"""CPython's own concurrent.futures tests, run against minipool (see tests/cpython_suite/run.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

RUNNER = Path(__file__).parent / "cpython_suite" / "run.py"
sys.path.insert(0, str(RUNNER.parent))
import run as cpython_suite  # noqa: E402

pytestmark = pytest.mark.skipif(
    cpython_suite.find_test_sources() is None,
    reason=f"this Python ({sys.prefix}) ships without test_concurrent_futures",
)


def run_suite(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    report = tmp_path / "report.json"
    child = subprocess.run(
        [sys.executable, str(RUNNER), "--json", str(report), *args],
        capture_output=True,
        text=True,
        timeout=500,
    )
    return child.returncode, json.loads(report.read_text()), child.stdout + child.stderr


@pytest.mark.timeout(600)
@pytest.mark.parametrize("impl_name", ["minipool", "minipool.dropin"])
def test_cpython_thread_pool_and_future_tests_pass_on_minipool(
    tmp_path: Path, impl_name: str
) -> None:
    status, report, output = run_suite(tmp_path, "--impl", impl_name)
    failures = {
        test: outcome["detail"]
        for test, outcome in report["outcomes"].items()
        if outcome["outcome"] in ("failed", "error")
    }
    assert not failures, output
    assert status == 0
    assert report["counts"]["passed"] >= 60
    # Every exclusion still names a test that exists: none is stale.
    excluded_names = {test.rsplit(".", 1)[-1] for test in report["excluded"]}
    if impl_name == "minipool":
        assert excluded_names == set(cpython_suite.EXCLUDED)
    else:  # the drop-in's futures keep _condition: the excluded tests run too
        assert not excluded_names


@pytest.mark.timeout(300)
def test_the_cpython_suite_catches_a_broken_implementation(tmp_path: Path) -> None:
    status, report, _output = run_suite(tmp_path, "--impl", "broken_impl", "--only", "test_cancel")
    assert status == 1
    failed = [t for t, o in report["outcomes"].items() if o["outcome"] == "failed"]
    assert any(t.endswith("FutureTests.test_cancel") for t in failed)
