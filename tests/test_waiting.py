"""wait() and as_completed(), on both implementations."""

from __future__ import annotations

import gc
import weakref
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import PROMPTLY, Gate, assert_same, error_of

# -- futures in given states, built through the public API only -------------

STATES = ["pending", "running", "cancelled", "cancelled_notified", "returned", "raised"]


def future_in(impl: ModuleType, state: str) -> Any:
    future = impl.Future()
    if state == "running":
        future.set_running_or_notify_cancel()
    elif state == "cancelled":
        future.cancel()
    elif state == "cancelled_notified":
        future.cancel()
        future.set_running_or_notify_cancel()
    elif state == "returned":
        future.set_result(state)
    elif state == "raised":
        future.set_exception(ValueError(state))
    return future


RETURN_WHEN = ["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED", "NOT_A_CONDITION"]


@given(
    states=st.lists(st.sampled_from(STATES), max_size=6),
    picks=st.lists(st.integers(0, 5), max_size=8),
    return_when=st.sampled_from(RETURN_WHEN),
)
def test_wait_sorts_futures_in_any_states_the_same(
    states: list[str], picks: list[int], return_when: str
) -> None:
    # picks choose futures with repetition: duplicates must count once.
    def scenario(impl: ModuleType) -> Any:
        futures = [future_in(impl, state) for state in states]
        chosen = [futures[i % len(futures)] for i in picks] if futures else []
        try:
            done, not_done = impl.wait(chosen, timeout=0, return_when=return_when)
        except ValueError as exc:
            return ("ValueError", str(exc))
        return (
            sorted(futures.index(f) for f in done),
            sorted(futures.index(f) for f in not_done),
        )

    assert_same(scenario)


@given(
    states=st.lists(st.sampled_from(STATES), max_size=6),
    picks=st.lists(st.integers(0, 5), max_size=8),
)
def test_as_completed_yields_the_same_futures_then_the_same_timeout(
    states: list[str], picks: list[int]
) -> None:
    def scenario(impl: ModuleType) -> Any:
        futures = [future_in(impl, state) for state in states]
        chosen = [futures[i % len(futures)] for i in picks] if futures else []
        yielded = []
        try:
            for future in impl.as_completed(chosen, timeout=0):
                yielded.append(futures.index(future))
        except impl.TimeoutError as exc:
            return (sorted(yielded), "TimeoutError", str(exc))
        return (sorted(yielded), "complete")

    assert_same(scenario)


# -- wait() on running pools -----------------------------------------------


def test_wait_first_completed_returns_with_the_one_finished(impl: ModuleType) -> None:
    gates = Gate()
    with impl.ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(gates.task, i) for i in range(3)]
        gates.open(1)
        done, not_done = impl.wait(futures, timeout=PROMPTLY, return_when=impl.FIRST_COMPLETED)
        assert done == {futures[1]}
        assert not_done == {futures[0], futures[2]}
        gates.open_all()


def test_wait_first_exception_returns_at_the_first_raise(impl: ModuleType) -> None:
    gates = Gate()
    with impl.ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(gates.task, i, raises=(i == 2)) for i in range(3)]
        gates.open(0)
        assert futures[0].result(PROMPTLY) == 0  # a plain result does not end the wait
        gates.open(2)
        done, not_done = impl.wait(futures, timeout=PROMPTLY, return_when=impl.FIRST_EXCEPTION)
        assert done == {futures[0], futures[2]}
        assert not_done == {futures[1]}
        gates.open_all()


def test_wait_all_completed_with_timeout_reports_the_unfinished(impl: ModuleType) -> None:
    gates = Gate()
    with impl.ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(gates.task, i) for i in range(2)]
        gates.open(0)
        futures[0].result(PROMPTLY)
        result = impl.wait(futures, timeout=0.01)
        assert (result.done, result.not_done) == ({futures[0]}, {futures[1]})
        gates.open_all()
        assert impl.wait(futures, timeout=PROMPTLY).not_done == set()


def test_wait_returns_the_named_tuple() -> None:
    def scenario(impl: ModuleType) -> Any:
        result = impl.wait([])
        return (type(result).__name__, result._fields, repr(result))

    assert assert_same(scenario)[1] == ("done", "not_done")


def test_future_cancelled_in_the_queue_counts_for_wait_only_once_a_worker_passes(
    impl: ModuleType,
) -> None:
    # The standard library's two-step cancel: done() is true at once, but
    # wait() sees the future only after set_running_or_notify_cancel().
    gates = Gate()
    with impl.ThreadPoolExecutor(1) as pool:
        blocker = pool.submit(gates.task, 0)
        queued = pool.submit(pow, 2, 2)
        assert queued.cancel()
        assert queued.done()
        assert impl.wait([queued], timeout=0).not_done == {queued}
        gates.open(0)
        blocker.result(PROMPTLY)
        assert impl.wait([queued], timeout=PROMPTLY).done == {queued}


def test_wait_with_invalid_return_when_fails_only_if_it_has_to_wait() -> None:
    def scenario(impl: ModuleType) -> Any:
        finished = future_in(impl, "returned")
        pending = future_in(impl, "pending")
        return [
            impl.wait([finished], return_when="bogus").not_done,
            error_of(lambda: impl.wait([pending], return_when="bogus")),
        ]

    assert assert_same(scenario)[1] == ("ValueError", "Invalid return condition: 'bogus'")


# -- as_completed() on running pools ------------------------------------------


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0)])
def test_as_completed_yields_in_completion_order(impl: ModuleType, order: tuple[int, ...]) -> None:
    gates = Gate()
    with impl.ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(gates.task, i) for i in range(3)]
        completed = impl.as_completed(futures, timeout=PROMPTLY)
        yielded = []
        for index in order:
            gates.open(index)
            yielded.append(next(completed).result())
        assert tuple(yielded) == order
        with pytest.raises(StopIteration):
            next(completed)


def test_as_completed_yields_done_futures_first_and_duplicates_once(impl: ModuleType) -> None:
    gates = Gate()
    with impl.ThreadPoolExecutor(1) as pool:
        running = pool.submit(gates.task, 0)
        done_a, done_b = future_in(impl, "returned"), future_in(impl, "raised")
        completed = impl.as_completed([running, done_a, running, done_b, done_a])
        assert {next(completed), next(completed)} == {done_a, done_b}
        gates.open(0)
        assert list(completed) == [running]


def test_as_completed_is_told_when_a_worker_passes_a_cancelled_future(impl: ModuleType) -> None:
    gates = Gate()
    with impl.ThreadPoolExecutor(1) as pool:
        blocker = pool.submit(gates.task, 0)
        queued = pool.submit(pow, 2, 2)
        queued.cancel()
        completed = impl.as_completed([future_in(impl, "returned"), queued], timeout=PROMPTLY)
        next(completed)  # the waiter is installed in queued now, before the worker passes it
        gates.open(0)
        assert next(completed) is queued
        assert blocker.result() == 0


def test_as_completed_yields_futures_done_while_it_was_not_read_in_completion_order() -> None:
    def scenario(impl: ModuleType) -> Any:
        futures = [impl.Future() for _ in range(4)]
        futures[0].set_result(0)
        completed = impl.as_completed(futures)
        next(completed)  # waiter installed in 1, 2, 3
        for index in (2, 3, 1):  # complete all three before reading any
            futures[index].set_result(index)
        return [f.result() for f in completed]

    assert assert_same(scenario) == [2, 3, 1]


def test_as_completed_timeout_message_counts_the_unfinished() -> None:
    def scenario(impl: ModuleType) -> Any:
        futures = [future_in(impl, "returned"), future_in(impl, "pending")] * 2
        completed = impl.as_completed(futures, timeout=0.01)
        first = next(completed)
        return [first is futures[0], error_of(lambda: next(completed))]

    observed = assert_same(scenario)
    assert observed == [True, ("TimeoutError", "1 (of 2) futures unfinished")]


def test_as_completed_starts_nothing_before_the_first_next(impl: ModuleType) -> None:
    # A generator: a bad timeout or a bad future fails at next(), not at the call.
    completed = impl.as_completed([impl.Future()], timeout="soon")
    with pytest.raises(TypeError):
        next(completed)


def test_as_completed_releases_each_future_once_yielded(impl: ModuleType) -> None:
    futures = [future_in(impl, "returned") for _ in range(3)]
    references = [weakref.ref(f) for f in futures]
    completed = impl.as_completed(futures)
    del futures
    for yielded_so_far in range(1, 4):
        future = next(completed)
        del future
        gc.collect()
        released = sum(reference() is None for reference in references)
        assert released == yielded_so_far, "the iterator kept a yielded future alive"


def test_as_completed_closed_early_leaves_no_waiter_behind(impl: ModuleType) -> None:
    pending = impl.Future()
    completed = impl.as_completed([pending, future_in(impl, "returned")])
    next(completed)
    completed.close()
    assert pending._waiters == []


def test_wait_that_fails_leaves_no_waiter_behind(impl: ModuleType) -> None:
    pending = impl.Future()
    with pytest.raises(TypeError):
        impl.wait([pending], timeout="soon")
    if impl.__name__ == "minipool":  # the standard library leaves its waiter installed
        assert pending._waiters == []
