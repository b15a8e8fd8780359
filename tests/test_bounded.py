"""The bounded queue: ThreadPoolExecutor(max_pending=N, on_full=...), a minipool extra.

A full pool holds max_workers running calls plus max_pending queued ones.
Tests make the pool full with gated calls, so that "full" is exact, and
watch a blocked submit() through the condition it waits on, not the clock.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minipool
from conftest import PROMPTLY, Gate, error_of
from minipool import RejectedError, ThreadPoolExecutor


def fill(pool: ThreadPoolExecutor, gate: Gate, count: int) -> list[minipool.Future[Any]]:
    """Submit *count* gated calls; the first min(count, workers) are started when it returns."""
    futures = [pool.submit(gate.task, n) for n in range(count)]
    for n in range(min(count, pool._max_workers)):
        gate.wait_started(n)
    return futures


class WatchedRoom(threading.Condition):
    """The pool's room condition, telling the test when a submit() starts to wait on it.

    ``entered`` is set with the pool's lock still held, just before wait()
    releases it: whoever takes the lock next (shutdown(), a worker) finds
    the submitter waiting, so no wake-up can be missed.
    """

    def __init__(self, lock: threading.Lock) -> None:
        super().__init__(lock)
        self.entered = threading.Event()

    def wait(self, timeout: float | None = None) -> bool:
        self.entered.set()
        return super().wait(timeout)


def watch_room(pool: ThreadPoolExecutor) -> WatchedRoom:
    """Replace *pool*'s room condition with a WatchedRoom (before any submit)."""
    assert pool._limit is not None
    room = WatchedRoom(pool._shutdown_lock)
    pool._limit._room = room
    return room


def in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run *call* in a new thread; its result or exception lands in the list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("on_full", ["block", "reject", "caller_runs"])
@pytest.mark.parametrize(("workers", "max_pending"), [(1, 1), (1, 3), (3, 2)])
def test_a_full_pool_holds_workers_plus_max_pending_calls(
    on_full: Any, workers: int, max_pending: int
) -> None:
    gate = Gate()
    with ThreadPoolExecutor(workers, max_pending=max_pending, on_full=on_full, stats=True) as pool:
        futures = fill(pool, gate, workers + max_pending)  # accepted, none refused
        assert pool._limit is not None and pool._limit.is_full()
        stats = pool.stats()
        assert (stats.running, stats.queued) == (workers, max_pending)
        gate.open_all()
        assert [f.result(PROMPTLY) for f in futures] == list(range(workers + max_pending))


def test_reject_raises_at_once_and_loses_nothing() -> None:
    gate = Gate()
    with ThreadPoolExecutor(1, max_pending=2, on_full="reject", stats=True) as pool:
        futures = fill(pool, gate, 3)
        assert error_of(lambda: pool.submit(abs, -1)) == (
            "RejectedError",
            "the work queue is full (max_pending=2)",
        )
        assert isinstance(RejectedError("x"), RuntimeError)
        gate.open(0)
        assert futures[0].result(PROMPTLY) == 0
        # A finished call made room (counted before its future completed).
        extra = pool.submit(abs, -1)
        gate.open_all()
        assert extra.result(PROMPTLY) == 1
        assert [f.result(PROMPTLY) for f in futures] == [0, 1, 2]
    stats = pool.stats()
    assert (stats.submitted, stats.completed, stats.rejected, stats.ran_in_caller) == (4, 4, 1, 0)


def test_block_waits_until_a_call_ends() -> None:
    gate = Gate()
    with ThreadPoolExecutor(1, max_pending=1) as pool:  # on_full="block" by default
        room = watch_room(pool)
        futures = fill(pool, gate, 2)
        thread, outcome = in_thread(lambda: pool.submit(gate.task, "late"))
        assert room.entered.wait(PROMPTLY)
        assert outcome == []  # still blocked: no call has ended
        gate.open(0)  # the running call ends: room for one
        thread.join(PROMPTLY)
        late = outcome[0]
        assert isinstance(late, minipool.Future)
        gate.open_all()
        assert [f.result(PROMPTLY) for f in [*futures, late]] == [0, 1, "late"]


def test_block_with_submit_timeout_gives_up_with_rejected_error() -> None:
    gate = Gate()
    with ThreadPoolExecutor(1, max_pending=1, submit_timeout=0.05, stats=True) as pool:
        futures = fill(pool, gate, 2)
        assert error_of(lambda: pool.submit(abs, -1)) == (
            "RejectedError",
            "no room in the work queue within 0.05 seconds (max_pending=1)",
        )
        gate.open_all()
        assert [f.result(PROMPTLY) for f in futures] == [0, 1]
    assert pool.stats().rejected == 1


def test_caller_runs_runs_the_call_in_the_submitting_thread() -> None:
    gate = Gate()

    def fails() -> None:
        raise KeyError("in the caller")

    with ThreadPoolExecutor(1, max_pending=1, on_full="caller_runs", stats=True) as pool:
        futures = fill(pool, gate, 2)
        here = pool.submit(threading.current_thread)
        assert here.done() and here.result() is threading.current_thread()
        failed = pool.submit(fails)
        assert isinstance(failed.exception(), KeyError)
        called: list[Any] = []
        failed.add_done_callback(called.append)  # done already: runs at once
        assert called == [failed]
        gate.open_all()
        assert [f.result(PROMPTLY) for f in futures] == [0, 1]
    stats = pool.stats()
    assert (stats.submitted, stats.ran_in_caller, stats.rejected) == (2, 2, 0)


def test_caller_runs_lets_keyboard_interrupt_through_the_caller() -> None:
    # Unlike a worker, the submitting thread is one Ctrl-C is meant to stop.
    gate = Gate()

    def interrupted() -> None:
        raise KeyboardInterrupt

    with ThreadPoolExecutor(1, max_pending=1, on_full="caller_runs", stats=True) as pool:
        futures = fill(pool, gate, 2)
        with pytest.raises(KeyboardInterrupt):
            pool.submit(interrupted)
        gate.open_all()
        assert [f.result(PROMPTLY) for f in futures] == [0, 1]
    assert pool.stats().ran_in_caller == 1


@pytest.mark.parametrize("cancel_futures", [False, True])
def test_shutdown_wakes_a_blocked_submit_to_raise(cancel_futures: bool) -> None:
    gate = Gate()
    pool = ThreadPoolExecutor(1, max_pending=1)
    room = watch_room(pool)
    futures = fill(pool, gate, 2)
    thread, outcome = in_thread(lambda: pool.submit(abs, -1))
    assert room.entered.wait(PROMPTLY)
    pool.shutdown(wait=False, cancel_futures=cancel_futures)
    if not cancel_futures:
        gate.open_all()  # without cancel_futures the room comes when calls end
    thread.join(PROMPTLY)
    assert not thread.is_alive()
    assert type(outcome[0]) is RuntimeError
    assert str(outcome[0]) == "cannot schedule new futures after shutdown"
    gate.open_all()
    pool.shutdown()
    assert futures[1].cancelled() == cancel_futures
    assert all(f.done() for f in futures)


def test_a_broken_pool_wakes_a_blocked_submit_with_broken_thread_pool() -> None:
    go = threading.Event()

    def initializer() -> None:
        go.wait(PROMPTLY)
        raise ValueError("no")

    pool = ThreadPoolExecutor(1, initializer=initializer, max_pending=1)
    room = watch_room(pool)
    queued = [pool.submit(abs, -n) for n in range(2)]  # the worker is in its initializer
    thread, outcome = in_thread(lambda: pool.submit(abs, -1))
    assert room.entered.wait(PROMPTLY)
    go.set()
    thread.join(PROMPTLY)
    assert type(outcome[0]) is minipool.BrokenThreadPool
    assert all(type(f.exception(PROMPTLY)) is minipool.BrokenThreadPool for f in queued)
    pool.shutdown()


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_pending": 0}, ("ValueError", "max_pending must be None or > 0")),
        ({"max_pending": 2.5}, ("TypeError", "max_pending must be an integer or None")),
        ({"max_pending": True}, ("TypeError", "max_pending must be an integer or None")),
        (
            {"max_pending": 1, "on_full": "drop"},
            ("ValueError", "on_full must be 'block', 'reject' or 'caller_runs', not 'drop'"),
        ),
        ({"on_full": "reject"}, ("ValueError", "on_full and submit_timeout need max_pending")),
        ({"submit_timeout": 1}, ("ValueError", "on_full and submit_timeout need max_pending")),
        (
            {"max_pending": 1, "on_full": "reject", "submit_timeout": 1},
            ("ValueError", "submit_timeout applies only to on_full='block'"),
        ),
        (
            {"max_pending": 1, "submit_timeout": -1},
            ("ValueError", "submit_timeout must be None or >= 0"),
        ),
    ],
)
def test_bad_options_are_refused_when_the_pool_is_made(
    options: dict[str, Any], error: tuple[str, str]
) -> None:
    assert error_of(lambda: ThreadPoolExecutor(1, **options)) == error


def test_a_pool_without_max_pending_queues_without_limit() -> None:
    gate = Gate()
    with ThreadPoolExecutor(1, stats=True) as pool:
        assert pool._limit is None
        futures = fill(pool, gate, 1)
        futures += [pool.submit(abs, -n) for n in range(1, 5_000)]
        assert pool.stats().queued == 4_999
        gate.open_all()
        assert [f.result(PROMPTLY) for f in futures] == list(range(5_000))


@settings(max_examples=60)
@given(
    workers=st.integers(1, 3),
    max_pending=st.integers(1, 4),
    plan=st.lists(st.sampled_from(["submit", "finish"]), max_size=25),
)
def test_accepted_calls_are_exactly_those_that_fit(
    workers: int, max_pending: int, plan: list[str]
) -> None:
    # A "reject" pool accepts a call exactly when fewer than workers +
    # max_pending accepted calls are unfinished; every accepted call runs.
    gate = Gate()
    unfinished: list[int] = []
    accepted: dict[int, minipool.Future[Any]] = {}  # by the step that submitted it
    with ThreadPoolExecutor(workers, max_pending=max_pending, on_full="reject") as pool:
        for step, action in enumerate(plan):
            if action == "submit":
                fits = len(unfinished) < workers + max_pending
                try:
                    accepted[step] = pool.submit(gate.task, step)
                except RejectedError:
                    assert not fits
                else:
                    assert fits
                    unfinished.append(step)
            elif unfinished:
                # Finish the oldest call, which has started (FIFO, and it is
                # among the first `workers` unfinished ones).
                oldest = unfinished.pop(0)
                gate.wait_started(oldest)
                gate.open(oldest)
                assert accepted[oldest].result(PROMPTLY) == oldest
        gate.open_all()
    assert all(f.done() and not f.cancelled() for f in accepted.values())
