"""ThreadPoolExecutor.stats(): the numbers of known workloads, and consistent snapshots."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import minipool
from conftest import PROMPTLY, Gate
from minipool import PoolStats, ThreadPoolExecutor


def fail(message: str) -> None:
    raise ValueError(message)


def test_a_fresh_pool_has_done_nothing() -> None:
    with ThreadPoolExecutor(max_workers=3, stats=True) as pool:
        stats = pool.stats()
    assert (stats.submitted, stats.queued, stats.running, stats.completed) == (0, 0, 0, 0)
    assert (stats.workers_alive, stats.largest_pool_size, stats.max_workers) == (0, 0, 3)
    assert stats.run_time == minipool.DurationSummary(0, 0.0, 0.0)
    assert stats.run_time.mean == 0.0
    assert stats.busy_time == 0.0


def test_the_counts_of_a_known_workload_while_it_runs_and_after() -> None:
    gate = Gate()
    with ThreadPoolExecutor(max_workers=1, stats=True) as pool:
        blocker = pool.submit(gate.task, "blocker")
        gate.wait_started("blocker")
        returns = pool.submit(abs, -1)
        raises = pool.submit(fail, "no")
        cancelled = pool.submit(abs, -2)
        assert cancelled.cancel()

        during = pool.stats()
        assert during.submitted == 4
        # The cancelled call stays queued until the worker passes over it.
        assert (during.queued, during.running) == (3, 1)
        assert (during.completed, during.failed, during.cancelled) == (0, 0, 0)
        assert (during.workers_alive, during.workers_idle, during.largest_pool_size) == (1, 0, 1)
        assert during.queue_wait.count == 0  # counted when a call ends
        assert during.run_time.count == 0
        assert during.busy_time > 0

        gate.open("blocker")
        assert (blocker.result(), returns.result()) == ("blocker", 1)
        assert isinstance(raises.exception(), ValueError)
    after = pool.stats()  # after shutdown(wait=True): every worker has published
    assert after.submitted == 4
    assert (after.queued, after.running) == (0, 0)
    assert (after.completed, after.failed, after.cancelled) == (2, 1, 1)
    assert (after.workers_alive, after.workers_idle, after.largest_pool_size) == (0, 0, 1)
    assert after.run_time.count == after.queue_wait.count == 3


def test_a_call_whose_result_was_read_is_already_counted() -> None:
    with ThreadPoolExecutor(max_workers=2, stats=True) as pool:
        for n in range(1, 50):
            pool.submit(abs, -n).result()
            assert pool.stats().completed == n  # counted before the future completes


def test_run_time_and_busy_time_cover_the_time_calls_ran() -> None:
    # The calls sleep: that is their work here, not a synchronisation.
    with ThreadPoolExecutor(max_workers=2, stats=True) as pool:
        list(pool.map(time.sleep, [0.05, 0.05, 0.1]))
        stats = pool.stats()
    assert stats.run_time.count == 3
    assert stats.run_time.max >= 0.1
    assert stats.run_time.total >= 0.2
    assert stats.run_time.mean == pytest.approx(stats.run_time.total / 3)
    assert stats.busy_time == pytest.approx(stats.run_time.total)


def test_queue_wait_covers_the_time_a_call_spent_behind_a_busy_worker() -> None:
    gate = Gate()
    with ThreadPoolExecutor(max_workers=1, stats=True) as pool:
        pool.submit(gate.task, "blocker")
        gate.wait_started("blocker")
        behind = pool.submit(abs, -1)
        queued_at = time.perf_counter()
        time.sleep(0.05)  # keep it queued for a known time
        gate.open("blocker")
        behind.result()
        upper = time.perf_counter() - queued_at
        stats = pool.stats()
    assert 0.05 <= stats.queue_wait.max <= upper + 0.01
    assert stats.queue_wait.count == 2


def test_a_running_call_counts_in_busy_time_before_it_ends() -> None:
    gate = Gate()
    with ThreadPoolExecutor(max_workers=1, stats=True) as pool:
        pool.submit(gate.task, "long")
        gate.wait_started("long")
        first = pool.stats().busy_time
        time.sleep(0.02)
        second = pool.stats().busy_time
        gate.open("long")
    assert second - first >= 0.02


def test_largest_pool_size_and_idle_workers() -> None:
    gate = Gate()
    with ThreadPoolExecutor(max_workers=4, stats=True) as pool:
        for key in range(4):
            pool.submit(gate.task, key)
        for key in range(4):
            gate.wait_started(key)
        busy = pool.stats()
        gate.open_all()
    done = pool.stats()
    assert (busy.running, busy.workers_alive, busy.workers_idle) == (4, 4, 0)
    assert busy.largest_pool_size == 4
    assert (done.running, done.workers_alive, done.largest_pool_size) == (0, 0, 4)


def test_shutdown_cancel_futures_counts_the_calls_it_took_out() -> None:
    gate = Gate()
    pool = ThreadPoolExecutor(max_workers=1, stats=True)
    pool.submit(gate.task, "blocker")
    gate.wait_started("blocker")
    queued = [pool.submit(abs, -n) for n in range(5)]
    all_cancelled = threading.Event()
    queued[-1].add_done_callback(lambda _: all_cancelled.set())  # cancelled in order
    stopper = threading.Thread(target=pool.shutdown, kwargs={"cancel_futures": True})
    stopper.start()
    assert all_cancelled.wait(PROMPTLY)
    assert all(f.cancelled() for f in queued)
    gate.open("blocker")
    stopper.join(PROMPTLY)
    stats = pool.stats()
    assert (stats.submitted, stats.completed, stats.cancelled, stats.queued) == (6, 1, 5, 0)


def test_a_failed_initializer_counts_the_calls_it_failed_as_failed() -> None:
    ready = threading.Event()

    def initializer() -> None:
        ready.wait(PROMPTLY)
        raise RuntimeError("no")

    pool = ThreadPoolExecutor(max_workers=1, initializer=initializer, stats=True)
    futures = [pool.submit(abs, -n) for n in range(3)]
    ready.set()
    minipool.wait(futures, timeout=PROMPTLY)
    pool.shutdown()
    stats = pool.stats()
    assert all(isinstance(f.exception(), minipool.BrokenThreadPool) for f in futures)
    assert (stats.submitted, stats.failed, stats.completed, stats.queued) == (3, 3, 0, 0)


def test_the_snapshot_is_immutable() -> None:
    with ThreadPoolExecutor(max_workers=1, stats=True) as pool:
        stats = pool.stats()
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.submitted = 5  # type: ignore[misc]
    assert isinstance(stats, PoolStats)


@given(
    outcomes=st.lists(st.sampled_from(["return", "raise", "cancel"]), min_size=1, max_size=40),
    workers=st.integers(1, 4),
)
def test_any_mix_of_outcomes_is_counted_exactly(outcomes: list[str], workers: int) -> None:
    gate = Gate()
    pool = ThreadPoolExecutor(max_workers=workers, stats=True)
    # Fill every worker first, so that the calls below are all queued and
    # can be cancelled.
    blockers = [pool.submit(gate.task, ("blocker", i)) for i in range(workers)]
    for i in range(workers):
        gate.wait_started(("blocker", i))
    futures: list[minipool.Future[Any]] = []
    for outcome in outcomes:
        future = pool.submit(fail, "x") if outcome == "raise" else pool.submit(abs, -1)
        if outcome == "cancel":
            assert future.cancel()
        futures.append(future)
    gate.open_all()
    pool.shutdown(wait=True)
    stats = pool.stats()
    assert stats.submitted == len(outcomes) + workers
    assert stats.completed == outcomes.count("return") + len(blockers)
    assert stats.failed == outcomes.count("raise")
    assert stats.cancelled == outcomes.count("cancel")
    assert (stats.queued, stats.running) == (0, 0)
    assert stats.run_time.count == stats.completed + stats.failed


def test_snapshots_taken_while_calls_move_are_consistent_and_only_grow() -> None:
    pool = ThreadPoolExecutor(max_workers=4, stats=True)
    stop = threading.Event()
    snapshots: list[PoolStats] = []

    def watch() -> None:
        while not stop.is_set():
            snapshots.append(pool.stats())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for _batch in range(20):
            futures = [pool.submit(fail if n % 7 == 0 else abs, -n) for n in range(200)]
            futures[-1].cancel()
            minipool.wait(futures)
    finally:
        stop.set()
        watcher.join()
        pool.shutdown()
    assert len(snapshots) > 10
    for snapshot in snapshots:
        assert snapshot.queued >= 0
        assert 0 <= snapshot.running <= snapshot.workers_alive <= 4
        assert snapshot.workers_idle == snapshot.workers_alive - snapshot.running
    for earlier, later in zip(snapshots, snapshots[1:]):
        for field in ("submitted", "completed", "failed", "cancelled", "largest_pool_size"):
            assert getattr(later, field) >= getattr(earlier, field), field
        assert later.run_time.total >= earlier.run_time.total
        assert later.queue_wait.count >= earlier.queue_wait.count


def test_a_pool_made_without_stats_counts_nothing_and_says_so() -> None:
    with ThreadPoolExecutor(max_workers=1, debug=False) as pool:
        pool.submit(abs, -1).result()
        assert pool._hooks is None  # a plain pool: no extra attached
        with pytest.raises(RuntimeError, match=r"needs a pool made with .*stats=True"):
            pool.stats()


def test_in_a_notebook_a_snapshot_shows_as_a_table_of_its_numbers() -> None:
    with ThreadPoolExecutor(max_workers=2, stats=True) as pool:
        futures = [pool.submit(divmod, 7, n) for n in range(4)]  # divmod(7, 0) raises
        minipool.wait(futures)
        stats = pool.stats()
    shown = stats._repr_html_()
    assert shown.startswith("<table><caption>minipool pool stats</caption>")
    cells = dict(re.findall(r"<th[^>]*>(.*?)</th><td[^>]*>(.*?)</td>", shown))
    assert list(cells) == ["calls", "workers", "busy", "queue wait", "run time"]
    assert cells["calls"] == (
        "submitted 4 · queued 0 · running 0 · completed 3 · failed 1 · cancelled 0"
    )
    assert re.fullmatch(r"alive 2 · idle [0-2] · largest 2 · max 2", cells["workers"])
    assert cells["run time"].startswith("4 calls · mean ")
