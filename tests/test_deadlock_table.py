"""The issue's table: every deadlock shape, in every setting, is a DeadlockError within a second.

The shapes and settings are benchmarks/deadlocks.py's (``python -m
benchmarks.deadlocks`` prints the same table with its times, the Jupyter
kernel included; tests/test_notebooks.py runs the kernel column).  The
settings are those real programs have: the main thread waiting with or
without a timeout, and other threads running that touch no future (a
heartbeat, a server holding the pools).  Each cell must end in a
DeadlockError within WITHIN seconds; a watchdog ends a cell that does not,
so a miss fails instead of hanging.

The no-false-positive side: waits that look stuck to the wait-for graph
but are not, because a thread outside holds what ends them.  Each lets the
checker look (and walk the heap) several times before it lets the wait end.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from benchmarks import deadlocks

import minipool
from conftest import PROMPTLY
from minipool.debug import _detector

WITHIN = 1.0

# Free-threaded with the GIL off, a running thread's variables cannot be read
# (CPython gh-144446): beside a thread that might act, such as the cells'
# watchdog, debug mode stays silent (docs/diagnostics.rst says so).  There,
# test_every_shape_alone_raises_within_a_second is the table.
GIL_OFF = not getattr(sys, "_is_gil_enabled", lambda: True)()
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(GIL_OFF, reason="the GIL is off: the watchdog's variables cannot be read")
@pytest.mark.parametrize("setting", ["untimed", "timed", "threads"])
@pytest.mark.parametrize("shape", list(deadlocks.SHAPES))
def test_every_shape_in_every_setting_raises_within_a_second(shape: str, setting: str) -> None:
    found_before = _detector.deadlocks_found
    seconds = deadlocks.run_cell(deadlocks.SHAPES[shape], setting)
    assert seconds is not None, f"{shape!r} ({setting}): none within {deadlocks.LIMIT} s"
    assert seconds < WITHIN
    assert _detector.deadlocks_found > found_before


# Each shape in a process of its own threads only: no watchdog thread (the
# parent's timeout is the watchdog), the main thread waiting with no timeout.
ALONE = """
import json, sys, time
sys.path.insert(0, %r)
import minipool
from benchmarks import deadlocks
made = deadlocks.Made()
wait = deadlocks.SHAPES[sys.argv[1]](made)
start = time.perf_counter()
try:
    wait(None)
except minipool.DeadlockError:
    print(json.dumps(time.perf_counter() - start))
for pool in made.pools:
    pool.shutdown(wait=True, cancel_futures=True)
"""


@pytest.mark.parametrize("shape", list(deadlocks.SHAPES))
def test_every_shape_alone_raises_within_a_second(shape: str) -> None:
    try:
        child = subprocess.run(
            [sys.executable, "-c", ALONE % str(ROOT), shape],
            capture_output=True, text=True, timeout=deadlocks.LIMIT * 4,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail(f"{shape!r}, alone: no DeadlockError, the process hung")
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip(), f"{shape!r}, alone: the wait ended without a DeadlockError"
    assert json.loads(child.stdout) < WITHIN


def test_the_error_names_every_link_of_the_chain_one_per_line() -> None:
    made = deadlocks.Made()
    wait = deadlocks.three_cycle(made)
    with pytest.raises(minipool.DeadlockError) as caught:
        wait(None)
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert all(" waits for <Future at 0x" in line for line in lines)
    assert all(line.endswith(";") for line in lines[:-1])
    workers = {line.split()[1] for line in lines}
    assert workers == {"three_0", "three_1", "three_2"}
    for pool in made.pools:
        pool.shutdown(wait=True)


# -- no false positives, with other threads running --------------------------


def looked_at(count: int) -> None:
    """Let the checker walk the heap *count* more times (it finds the wait suspicious)."""
    target = _detector.walks + count
    deadline = time.monotonic() + PROMPTLY
    while _detector.walks < target:
        assert time.monotonic() < deadline, "the checker never walked the heap"
        _detector.wait_for_looks(1, PROMPTLY)


def test_a_queued_call_another_thread_holds_and_will_cancel_is_not_a_deadlock() -> None:
    pool = minipool.ThreadPoolExecutor(max_workers=1, debug=True)
    handed_over: queue.SimpleQueue[minipool.Future[Any]] = queue.SimpleQueue()

    def outer() -> str:
        inner = pool.submit(str, "never runs")  # queued behind this call
        handed_over.put(inner)
        try:
            return inner.result()
        except minipool.CancelledError:
            return "cancelled"

    def canceller() -> None:
        inner = handed_over.get()  # from here on, only this thread can end it
        looked_at(3)
        inner.cancel()

    thread = threading.Thread(target=canceller)
    thread.start()
    assert pool.submit(outer).result() == "cancelled"
    thread.join()
    pool.shutdown()


def test_a_bare_future_a_timer_will_complete_is_not_a_deadlock() -> None:
    pool = minipool.ThreadPoolExecutor(max_workers=1, debug=True)
    outside: minipool.Future[int] = minipool.Future()
    release = threading.Event()
    # The Timer holds the future through the bound method it will call.
    timer = threading.Timer(0, lambda: (release.wait(PROMPTLY), outside.set_result(7)))
    timer.start()
    task = pool.submit(outside.result)
    looked_at(3)
    release.set()
    assert task.result() == 7
    timer.join()
    pool.shutdown()


def test_a_future_in_a_global_with_another_thread_running_is_not_a_deadlock() -> None:
    # Any running thread may import a module and end a future it finds there.
    pool = minipool.ThreadPoolExecutor(max_workers=1, debug=True)
    GLOBAL_FUTURES.append(minipool.Future())
    release = threading.Event()

    def completes_from_the_module() -> None:
        release.wait(PROMPTLY)
        sys.modules[__name__].GLOBAL_FUTURES[0].set_result("from a global")

    thread = threading.Thread(target=completes_from_the_module)
    thread.start()
    task = pool.submit(GLOBAL_FUTURES[0].result)
    looked_at(3)
    release.set()
    assert task.result() == "from a global"
    thread.join()
    pool.shutdown()
    GLOBAL_FUTURES.clear()


GLOBAL_FUTURES: list[minipool.Future[str]] = []


def test_a_future_only_a_suspended_generator_of_another_thread_holds_is_not_a_deadlock() -> None:
    pool = minipool.ThreadPoolExecutor(max_workers=1, debug=True)
    handed_over: queue.SimpleQueue[minipool.Future[str]] = queue.SimpleQueue()
    release = threading.Event()

    def completer(future: minipool.Future[str]) -> Any:
        yield
        future.set_result("from a generator")

    def drive() -> None:
        future: minipool.Future[str] = minipool.Future()
        steps = completer(future)
        handed_over.put(future)
        del future  # from here on only the suspended generator holds it
        next(steps)
        release.wait(PROMPTLY)
        next(steps, None)

    thread = threading.Thread(target=drive)
    thread.start()
    task = pool.submit(lambda: handed_over.get().result())
    looked_at(3)
    release.set()
    assert task.result() == "from a generator"
    thread.join()
    pool.shutdown()
