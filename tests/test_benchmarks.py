"""The benchmark runner still runs: a smoke test at tiny sizes (no timing is asserted)."""

from __future__ import annotations

import json
import math
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_quick(module: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Any]:
    """``python -m MODULE --quick --json ...``: the finished run, and the report it wrote."""
    output = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, "-m", module, "--quick", "--json", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert run.returncode == 0, run.stderr
    return run, json.loads(output.read_text())


@pytest.mark.timeout(300)
def test_the_benchmark_runner_measures_every_benchmark(tmp_path: Path) -> None:
    run, report = run_quick("benchmarks", tmp_path)

    assert report["python"] == platform.python_version()  # 3.15.0rc1 for a release candidate
    timings = {entry["name"]: entry for entry in report["timings"]}
    assert set(timings) == {
        "as_completed",
        "map",
        "wait_all",
        "wait_first",
        "files",
        "diagnostics: as_completed",
        "diagnostics: a blocking result() per call",
    }
    for name, entry in timings.items():
        expected = {"stdlib", "minipool", "floor"}
        if name in ("as_completed", "map"):
            expected |= {"loop"}
        if name == "diagnostics: as_completed":
            expected = {"stdlib", "minipool", "minipool_debug", "minipool_traced"}
        if name == "diagnostics: a blocking result() per call":
            expected = {"stdlib", "minipool", "minipool_debug"}
        if name == "files":
            workers = report["default_workers"]
            expected = {"stdlib", "minipool", "loop", "raw_threads"}
            expected |= {"raw_threads_%d" % workers, "minipool_unread"}
        assert set(entry["median"]) == expected, name
        assert all(len(times) == report["repeats"] for times in entry["times"].values())
        assert all(math.isfinite(t) and t > 0 for t in entry["median"].values())

    memory = report["memory"]["bytes"]
    for pool in ("stdlib", "minipool"):
        assert set(memory[pool]) == {"per_pending_task", "per_done_future", "map_peak"}
        assert all(value > 0 for value in memory[pool].values())

    grid = {(point["tasks"], point["workers"]) for point in report["scaling"]}
    assert grid == {(1000, 1), (1000, 2), (10000, 1), (10000, 2)}
    targets = {item["target"] for item in report["targets"]}
    assert "as_completed: minipool / stdlib" in targets
    assert "files: minipool pool / two raw threads" in targets
    assert "as_completed: minipool / stdlib" in run.stdout


def test_the_benchmark_runner_refuses_a_bad_size() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--tasks", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "must be greater than 0: '0'" in run.stderr


@pytest.mark.timeout(300)
def test_the_many_threads_benchmark_measures_every_job(tmp_path: Path) -> None:
    run, report = run_quick("benchmarks.cores", tmp_path)
    assert report["python"] == platform.python_version()
    assert report["gil_enabled"] == getattr(sys, "_is_gil_enabled", lambda: True)()

    cpu = report["cpu"]
    assert set(cpu["speedup"]) == {"stdlib", "minipool"}
    for speedups in cpu["speedup"].values():
        assert set(speedups) == {"1", "2", "4"}
        assert all(math.isfinite(s) and s > 0 for s in speedups.values())
    assert cpu["call_seconds"] > 0

    rows = report["submitters"]
    grid = {(row["mode"], row["call"], row["submitters"], row["pool"]) for row in rows}
    assert grid == {
        (mode, call, submitters, pool)
        for mode in ("flood", "each waits")
        for call in ("no-op", "20 us")
        for submitters in (1, 2, 4, 8)
        for pool in ("stdlib", "minipool")
    }
    for row in rows:
        assert len(row["rounds"]) == report["repeats"]
        assert row["throughput"] > 0 and 0 < row["p50"] <= row["p99"]

    extras = report["extras"]["cost"]
    assert set(extras) == {"stdlib", "minipool", "stats=True", "max_pending=1000",
                           "copy_context=True", "debug=True", "trace.record()"}  # fmt: skip
    assert extras["minipool"] == 1.0
    targets = {item["target"] for item in report["targets"]}
    assert "8 submitters, no-op, flood: throughput minipool / stdlib" in targets
    assert "8 submitters, no-op, flood: throughput minipool / stdlib" in run.stdout
