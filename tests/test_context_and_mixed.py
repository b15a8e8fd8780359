"""Two extras: copy_context=True, and wait()/as_completed() over mixed futures."""

from __future__ import annotations

import concurrent.futures
import contextvars
import sys
import threading
from types import ModuleType
from typing import Any

import pytest

import minipool
from conftest import PROMPTLY, Gate, assert_same, error_of

REQUEST = contextvars.ContextVar("REQUEST", default="none")


# -- copy_context -----------------------------------------------------------


def test_by_default_a_worker_gets_the_context_threading_gives_a_new_thread() -> None:
    # The standard library's behaviour, kept: a worker runs in the context
    # its thread started with.  That is an empty one, unless
    # sys.flags.thread_inherit_context is set (3.14+, by default on the
    # free-threaded builds): then a copy of the context of the thread that
    # started it, which is the thread whose submit() started it.
    def scenario(impl: ModuleType) -> list[str]:
        token = REQUEST.set("from the submitter")
        try:
            with impl.ThreadPoolExecutor(2) as pool:
                return [pool.submit(REQUEST.get).result(PROMPTLY) for _ in range(3)]
        finally:
            REQUEST.reset(token)

    inherits = getattr(sys.flags, "thread_inherit_context", 0)
    expected = "from the submitter" if inherits else "none"
    assert assert_same(scenario) == [expected] * 3


def test_a_worker_keeps_the_context_of_the_submit_that_started_it() -> None:
    # With thread_inherit_context, the first submitter's context travels with
    # the worker to every later call, whoever submits it; without, neither does.
    def scenario(impl: ModuleType) -> list[str]:
        seen = []
        with impl.ThreadPoolExecutor(1) as pool:
            for name in ("first", "second"):
                token = REQUEST.set(name)
                try:
                    seen.append(pool.submit(REQUEST.get).result(PROMPTLY))
                finally:
                    REQUEST.reset(token)
        return seen

    inherits = getattr(sys.flags, "thread_inherit_context", 0)
    assert assert_same(scenario) == (["first", "first"] if inherits else ["none", "none"])


def test_copy_context_runs_each_task_in_a_copy_of_the_submitters_context() -> None:
    seen: dict[str, str] = {}

    def submitter(name: str, pool: minipool.ThreadPoolExecutor) -> None:
        REQUEST.set(name)
        seen[name] = pool.submit(REQUEST.get).result(PROMPTLY)

    with minipool.ThreadPoolExecutor(2, copy_context=True) as pool:
        threads = [
            threading.Thread(target=submitter, args=(f"request-{n}", pool)) for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(PROMPTLY)
    assert seen == {f"request-{n}": f"request-{n}" for n in range(4)}


def test_copy_context_copies_at_submit_and_changes_stay_in_the_task() -> None:
    def change_and_read(value: str, *, suffix: str) -> str:
        REQUEST.set(value + suffix)
        return REQUEST.get()

    with minipool.ThreadPoolExecutor(1, copy_context=True) as pool:
        token = REQUEST.set("a")
        first = pool.submit(change_and_read, "changed", suffix="!")
        REQUEST.set("b")  # after the submit: the copy was made already
        second = pool.submit(REQUEST.get)
        assert (first.result(PROMPTLY), second.result(PROMPTLY)) == ("changed!", "b")
        assert REQUEST.get() == "b"  # the task's change did not leak back
        assert list(pool.map(lambda _: REQUEST.get(), range(3))) == ["b", "b", "b"]
        REQUEST.reset(token)


def test_copy_context_keeps_errors_and_results_as_they_are() -> None:
    with minipool.ThreadPoolExecutor(1, copy_context=True) as pool:
        assert pool.submit(pow, 2, 5).result(PROMPTLY) == 32
        assert type(pool.submit(int, "x").exception(PROMPTLY)) is ValueError


# -- wait() and as_completed() over minipool and standard library futures ----


@pytest.fixture
def two_pools() -> Any:
    with minipool.ThreadPoolExecutor(2) as ours, concurrent.futures.ThreadPoolExecutor(2) as theirs:
        yield ours, theirs


def no_waiter_left(*futures: Any) -> bool:
    """True if no future still holds a waiter of wait()/as_completed()."""
    return all(not f._waiters for f in futures)


@pytest.mark.parametrize("return_when", ["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"])
def test_wait_over_both_kinds_returns_when_asked(two_pools: Any, return_when: str) -> None:
    ours, theirs = two_pools
    gate = Gate()
    a = ours.submit(gate.task, "a")
    b = theirs.submit(gate.task, "b", raises=True)
    c = theirs.submit(gate.task, "c")
    gate.open("b")  # a standard library future raises first
    # ALL_COMPLETED cannot return before a and c end: give it a short timeout.
    timeout = 0.05 if return_when == "ALL_COMPLETED" else PROMPTLY
    if return_when == "ALL_COMPLETED":
        minipool.wait([b], timeout=PROMPTLY)
    done, not_done = minipool.wait([a, b, c], timeout=timeout, return_when=return_when)
    assert (done, not_done) == ({b}, {a, c})
    gate.open_all()
    done, not_done = minipool.wait([a, b, c], timeout=PROMPTLY)
    assert (done, not_done) == ({a, b, c}, set())
    assert no_waiter_left(a, b, c)


def test_as_completed_yields_both_kinds_in_completion_order(two_pools: Any) -> None:
    ours, theirs = two_pools
    gate = Gate()
    futures = {
        "ours-1": ours.submit(gate.task, "ours-1"),
        "theirs-1": theirs.submit(gate.task, "theirs-1"),
        "ours-2": ours.submit(gate.task, "ours-2"),
        "theirs-2": theirs.submit(gate.task, "theirs-2"),
    }
    order = ["theirs-2", "ours-1", "theirs-1", "ours-2"]
    yielded = []
    iterator = minipool.as_completed(futures.values(), timeout=PROMPTLY)
    for key in order:
        gate.open(key)
        yielded.append(next(iterator).result())
    assert yielded == order
    assert list(iterator) == []
    assert no_waiter_left(*futures.values())


def test_as_completed_times_out_with_the_standard_message_and_cleans_up(two_pools: Any) -> None:
    ours, theirs = two_pools
    gate = Gate()
    futures = [ours.submit(gate.task, 1), theirs.submit(gate.task, 2), theirs.submit(abs, -3)]
    iterator = minipool.as_completed(futures, timeout=0.05)
    assert next(iterator).result() == 3
    assert error_of(lambda: next(iterator))[1] == "2 (of 3) futures unfinished"
    assert no_waiter_left(*futures)
    gate.open_all()


def test_a_standard_library_future_completing_while_wait_installs_is_not_lost() -> None:
    # Many rounds of a race: the future completes while wait() looks at it.
    for _ in range(200):
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        ours: minipool.Future[int] = minipool.Future()
        setter = threading.Thread(target=future.set_result, args=(1,))
        setter.start()
        mixed: list[Any] = [future, ours]
        done, _ = minipool.wait(mixed, timeout=PROMPTLY, return_when="FIRST_COMPLETED")
        setter.join(PROMPTLY)
        assert done == {future}
        assert no_waiter_left(future, ours)


def test_the_standard_librarys_wait_still_refuses_minipool_futures() -> None:
    # Documented: only minipool's wait() mixes; the stdlib's needs _condition.
    future: minipool.Future[int] = minipool.Future()
    with pytest.raises(AttributeError, match="_condition"):
        concurrent.futures.wait([future], timeout=0)  # type: ignore[arg-type]
