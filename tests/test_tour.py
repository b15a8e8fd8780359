"""python -m minipool.tour (issue 6, in progress): steps compared side by side, as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def tour(*args: str) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(TESTS), *sys.path]))
    return subprocess.run(
        [sys.executable, "-m", "minipool", "--unit", "0.1", "--files", "300", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


def test_every_step_behaves_the_same_on_minipool() -> None:
    run = tour()
    assert run.returncode == 0, run.stdout + run.stderr
    steps = ("sync", "future", "order", "wait", "deadlock-own-pool", "deadlock-each-other", "files")
    for step in steps:
        assert "== %s" % step in run.stdout
    assert run.stdout.count("minipool: same behaviour as concurrent.futures") == len(steps)
    assert "as_completed(): [0.1, 0.2, 0.3]" in run.stdout
    assert "map():          [0.3, 0.1, 0.2]" in run.stdout
    assert "state=running>" in run.stdout
    assert "concurrent.futures: loop " in run.stdout and "; minipool: loop " in run.stdout


def test_the_deadlocks_are_seen_where_they_wait_then_broken_and_fixed() -> None:
    run = tour("--step", "deadlock-own-pool", "--step", "deadlock-each-other")
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert out.count("stuck after 1.0 s, as in the seed notes") == 2
    assert "tour-own-pool_0 in outer(): " in out
    assert "its inner: <Future at 0x" in out and "state=pending>" in out
    assert "the task ends with CancelledError" in out
    assert "the fix, max_workers=2: inner gave 8" in out
    assert "tour-each-other_0 in wait_on_b(): " in out
    assert "tour-each-other_1 in wait_on_a(): " in out
    assert "b returns 6" in out
    assert "'Exception in worker': InvalidStateError: FINISHED" in out
    assert run.stderr == ""  # the worker's traceback is recorded, not dumped


def test_the_standard_library_against_itself_is_the_same() -> None:
    run = tour("--impl", "concurrent.futures", "--step", "future")
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_wrong_implementation_is_reported_and_fails_the_tour() -> None:
    run = tour("--impl", "equivalence.mutants.as_completed_input_order", "--step", "order")
    assert run.returncode == 1
    assert "DIVERGED" in run.stdout
    assert "as_completed: [0.3, 0.1, 0.2], the standard library [0.1, 0.2, 0.3]" in run.stdout


def test_a_pool_that_ignores_max_workers_diverges_in_the_deadlock_step() -> None:
    run = tour("--impl", "equivalence.mutants.max_workers_ignored", "--step", "deadlock-own-pool")
    assert run.returncode == 1
    assert "hangs: False, the standard library True" in run.stdout


def test_an_unimportable_implementation_gets_one_line_and_status_2() -> None:
    run = tour("--impl", "no_such_module_here")
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "python -m minipool: error: --impl no_such_module_here: cannot import it "
        "(ModuleNotFoundError: No module named 'no_such_module_here')"
    ]


def test_the_narration_is_in_korean_with_lang_ko() -> None:
    run = tour("--lang", "ko", "--step", "order", "--step", "deadlock-own-pool")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "as_completed(): [0.1, 0.2, 0.3]  (먼저 끝난 작업이 먼저 나옵니다)" in run.stdout
    assert "1.0초가 지나도 끝나지 않습니다" in run.stdout
    assert "minipool: concurrent.futures와 같은 동작" in run.stdout


def test_every_message_the_tour_says_has_its_korean_form() -> None:
    import ast

    from minipool.tour import engine, steps
    from minipool.tour.text import KOREAN

    said = set()
    for module in (steps, engine):
        tree = ast.parse(Path(module.__file__).read_text())  # type: ignore[arg-type]
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "say"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                said.add(node.args[0].value)
    assert len(said) > 20
    assert sorted(said - set(KOREAN)) == []
    # and the Korean keeps the same placeholders, so that "%" never fails
    for english in said:
        assert english.count("%") == KOREAN[english].count("%"), english


def test_a_pool_that_fails_a_step_is_a_divergence_not_a_crash(tmp_path: Path) -> None:
    # A pool of one thread cannot run the three calls of "sync" together:
    # their barrier breaks, result() raises, and the tour reports it.
    (tmp_path / "one_worker_pool.py").write_text(
        "from concurrent.futures import *\n"
        "from concurrent.futures import InvalidStateError  # in __all__ only from 3.13\n"
        "from concurrent.futures import ThreadPoolExecutor as _Pool\n"
        "class ThreadPoolExecutor(_Pool):\n"
        "    def __init__(self, max_workers=None, *args, **kwargs):\n"
        "        super().__init__(1, *args, **kwargs)\n"
    )
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]))
    arguments = ["--unit", "0.02", "--step", "sync", "--impl", "one_worker_pool"]
    run = subprocess.run(
        [sys.executable, "-m", "minipool", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "the step failed: BrokenBarrierError" in run.stdout
    assert "Traceback" not in run.stderr


def test_a_loaded_machine_cannot_reorder_what_the_order_and_wait_steps_see(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As on a loaded machine, where a worker can start its call a whole unit
    # late: here the shortest call's sleep lasts four units instead of one.
    # Spacing alone would then finish it after the others; the steps' gates
    # keep what as_completed() and wait() see the same as on an idle machine.
    import concurrent.futures
    import time
    from types import SimpleNamespace

    import minipool
    from minipool.tour import steps
    from minipool.tour.engine import run_step

    unit = 0.05

    def late_io_task(seconds: float) -> float:
        time.sleep(4 * unit if seconds == unit else seconds)
        return seconds

    monkeypatch.setattr(steps, "io_task", late_io_task)
    settings = SimpleNamespace(unit=unit, files=10, directory=None, lang="en", trace=None)
    by_name = {step.name: step for step in steps.STEPS}
    implementations = {"concurrent.futures": concurrent.futures, "minipool": minipool}
    order = run_step(by_name["order"], implementations, settings)
    wait = run_step(by_name["wait"], implementations, settings)
    for name in implementations:
        assert order.observations[name].behaviour["as_completed"] == [0.05, 0.1, 0.15]
        assert wait.observations[name].behaviour["FIRST_COMPLETED"] == (
            "DoneAndNotDoneFutures",
            ["quick"],
            ["failing", "slow"],
        )
        assert wait.observations[name].behaviour["FIRST_EXCEPTION"] == (
            "DoneAndNotDoneFutures",
            ["failing", "quick"],
            ["slow"],
        )


@pytest.mark.parametrize("gil", [True, False])
def test_the_file_step_explains_the_build_it_runs_on(
    gil: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The seed's answer (threads take turns for the GIL) is wrong without it.
    from types import SimpleNamespace

    import minipool
    from minipool.tour import steps
    from minipool.tour.engine import Observation

    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: gil, raising=False)
    settings = SimpleNamespace(files=20, directory=str(tmp_path), trace=None, lang="en")
    seen = Observation()
    steps.file_benchmark(minipool, settings, seen)
    told = "\n".join(seen.narration)
    assert ("each file holds the GIL" in told) is gil
    assert ("this build runs without the GIL" in told) is not gil
    assert seen.behaviour["files written"] == 20
