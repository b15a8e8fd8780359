"""The core's critical races, explored schedule by schedule (interleave-test, Python 3.12+).

A stress test runs many schedules and hopes to meet the bad one; these tests
*choose* the schedules.  interleave-test (PyPI) runs each model under a
scheduler of its own: one thread at a time, and at every switch point the
search picks who runs next.  Two kinds of switch points, both used:

- *primitive level* (nothing traced): only lock, condition, event, queue and
  thread operations are switch points.  Every schedule with one preemption
  is searched (depth-first) for the small races on every run, for all of
  them, and with two preemptions, in the long run
  (``MINIPOOL_INTERLEAVINGS=long``, ``python -m nox -s interleavings``);
- *bytecode level* (minipool's own files traced): a switch may come between
  any two bytecode instructions of minipool, which is what finds a check
  made outside its lock.  Searched by PCT (probabilistic concurrency
  testing, random priorities with a few demotion points) on every run, and
  in full with one preemption in the long run.

PCT also runs at primitive level.  Two planted bugs must be found: a
cancel() that forgot its lock, and the exit race of the audit.

The races: submit() against shutdown() (with and without cancel_futures),
cancel() against a worker taking the call, a waiter installed by wait() or
as_completed() against the future finishing, add_done_callback() against
the future finishing, and submit() to a pool with no worker yet against the
interpreter-exit hook.  Every model asserts what must hold whatever the
schedule: nothing lost, nothing run twice, no thread left waiting (the
scheduler reports a deadlock when every live thread is blocked).

What the models change, and why (all on the test side):

- no extras: the pools are plain, and debug mode's watcher of blocking
  waits is off (its detector's own primitives would be explored too);
- the module's lock for interpreter exit, made at import time (before the
  tool patches ``threading``), is replaced by one made inside the model, and
  the exit state (``_interpreter_exiting``, ``_live_workers``) is fresh
  for each schedule;
- on free-threaded builds the pools are kept alive until the exploration
  ends: freed later, outside it, a pool's weakref callback would put a
  wake-up from a thread the scheduler does not manage.

Each test asserts that the search ended without a failure and, for
depth-first search, that it explored every schedule of its bound (the counts
differ between Python versions; they are printed, not asserted).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

import minipool
import minipool.extended
import minipool.future as future_module
from minipool import thread_pool

interleave_test = pytest.importorskip(
    "interleave_test", reason="interleave-test needs Python 3.12+ (sys.monitoring)"
)

LONG = os.environ.get("MINIPOOL_INTERLEAVINGS") == "long"
MINIPOOL_FILES = [str(Path(minipool.__file__).parent)]
PCT_SCHEDULES = 2000 if LONG else 150
# What each level traces.  "primitive" excludes minipool's files and these
# tests explicitly: from a source checkout (pip install -e) minipool counts as
# user code, which the tool traces by default.
LEVELS: dict[str, dict[str, list[str]]] = {
    "primitive": {"include": [], "exclude": [*MINIPOOL_FILES, str(Path(__file__).parent)]},
    "bytecode": {"include": MINIPOOL_FILES},
}

# Pools made by the models, kept alive until the exploration is over.
_keep: list[Any] = []


@pytest.fixture(autouse=True)
def modelled_pool_globals(monkeypatch: pytest.MonkeyPatch) -> Any:
    """No extras; the exit lock and state made afresh inside each schedule."""
    # Debug mode is not explored (its detector's primitives are real): off,
    # even if an earlier test of the session installed its detector.
    monkeypatch.setattr(future_module, "blocking_watcher", None)
    monkeypatch.setattr(minipool.extended, "_debug_by_default", False)
    monkeypatch.setattr(thread_pool, "_interpreter_exiting", False)
    monkeypatch.setattr(thread_pool, "_live_workers", {})
    monkeypatch.setattr(thread_pool, "_global_shutdown_lock", thread_pool.threading.Lock())
    yield
    # The pools' queues were made inside the runs, with the scheduler's
    # semaphore: give each a real one, so that the weakref callback of a
    # pool freed from now on can put its wake-up outside any run.
    real_semaphore = thread_pool.threading.Semaphore
    for pool in _keep:
        pool._work_queue._count = real_semaphore(0)
    _keep.clear()


def fresh_exit_state() -> None:
    """Called first in every model: the exit hook's state, as at start-up.

    Inside the run ``threading.Lock`` is the scheduler's own lock.
    """
    import threading

    thread_pool._interpreter_exiting = False
    thread_pool._live_workers = {}
    thread_pool._global_shutdown_lock = threading.Lock()


def explore(model: Callable[[], None], *, level: str, **options: Any) -> Any:
    """Run interleave-test on *model*; fail on any failure; return its Result."""
    if "strategy" not in options:
        options = {"strategy": "pct", "iterations": PCT_SCHEDULES, "seed": 0, **options}
    result = interleave_test.explore(model, timeout=60.0, **LEVELS[level], **options)
    assert result.ok, result.failure
    print(
        f"\n{model.__name__} ({level}, {options['strategy']}): "
        f"{result.schedules_run} schedules, exhausted={result.exhausted}, 0 failures"
    )
    return result


def explore_every_schedule(model: Callable[[], None], *, level: str, preemptions: int) -> None:
    result = explore(
        model, level=level, strategy="dfs", max_preemptions=preemptions, iterations=200_000
    )
    assert result.exhausted, "the bounded search did not finish"


# -- the models -----------------------------------------------------------


def submit_vs_shutdown(cancel_futures: bool) -> Callable[[], None]:
    def model() -> None:
        fresh_exit_state()
        pool = minipool.ThreadPoolExecutor(max_workers=1)
        _keep.append(pool)
        first = pool.submit(abs, -1)
        outcome: list[Any] = []

        def submitter() -> None:
            try:
                outcome.append(pool.submit(abs, -2))
            except RuntimeError as error:
                outcome.append(error)

        racer = interleave_test.spawn(submitter)
        pool.shutdown(wait=False, cancel_futures=cancel_futures)
        racer.join()
        pool.shutdown(wait=True)
        for future in [first, *outcome]:
            if isinstance(future, RuntimeError):
                assert str(future) == "cannot schedule new futures after shutdown"
                continue
            assert future.done(), "a future was left pending after shutdown(wait=True)"
            if not cancel_futures:
                assert not future.cancelled() and future.result() in (1, 2)
        for thread in pool._threads:
            assert not thread.is_alive(), "a worker outlived shutdown(wait=True)"
        left = []
        while not pool._work_queue.empty():
            left.append(pool._work_queue.get_nowait())
        # A call refused as the pool closed may stay queued behind the last
        # wake-up (submit() cancelled it: inert until the pool is collected).
        assert all(item is None or item[0].cancelled() for item in left), "live work left"

    model.__name__ = f"submit_vs_shutdown(cancel_futures={cancel_futures})"
    return model


def cancel_vs_worker() -> None:
    fresh_exit_state()
    pool = minipool.ThreadPoolExecutor(max_workers=1)
    _keep.append(pool)
    ran: list[int] = []
    future = pool.submit(ran.append, 1)
    cancelled = future.cancel()
    pool.shutdown(wait=True)
    assert future.done()
    assert cancelled == future.cancelled()
    assert ran == ([] if cancelled else [1]), "cancel() and the call disagree"


def waiter_vs_finish(how: str) -> Callable[[], None]:
    def model() -> None:
        future: minipool.Future[int] = minipool.Future()
        finisher = interleave_test.spawn(future.set_result, 7)
        if how == "wait":
            done, not_done = minipool.wait([future], return_when=minipool.FIRST_COMPLETED)
            assert (done, not_done) == ({future}, set())
        else:
            assert list(minipool.as_completed([future])) == [future]
        finisher.join()
        assert future._waiters is None, "a waiter was left installed"

    model.__name__ = f"waiter_vs_finish({how})"
    return model


def callback_vs_finish() -> None:
    future: minipool.Future[int] = minipool.Future()
    calls: list[int] = []
    finisher = interleave_test.spawn(future.set_result, 7)
    future.add_done_callback(lambda f: calls.append(f.result()))
    finisher.join()
    assert calls == [7], "the callback ran %d times" % len(calls)


def exit_vs_submit() -> None:
    fresh_exit_state()
    pool = minipool.ThreadPoolExecutor(max_workers=1)
    _keep.append(pool)
    outcome: list[Any] = []

    def submitter() -> None:
        try:
            outcome.append(pool.submit(abs, -3))
        except RuntimeError as error:
            outcome.append(error)

    racer = interleave_test.spawn(submitter)
    thread_pool._join_workers_at_exit()  # the hook, as at interpreter exit
    racer.join()
    # Python then joins every non-daemon thread: a worker nobody woke would
    # block here for ever (reported as a deadlock).
    for thread in list(pool._threads):
        thread.join()
    (result,) = outcome
    if isinstance(result, RuntimeError):
        assert str(result) == "cannot schedule new futures after interpreter shutdown"
    else:
        assert result.result() == 3, "a call accepted before exit did not run"


MODELS = [
    submit_vs_shutdown(cancel_futures=False),
    submit_vs_shutdown(cancel_futures=True),
    cancel_vs_worker,
    waiter_vs_finish("wait"),
    waiter_vs_finish("as_completed"),
    callback_vs_finish,
    exit_vs_submit,
]
NAMES = [model.__name__ for model in MODELS]
# Searched in full on every run: each takes seconds.  The two shutdown races
# have ten times more schedules (1,600 with one preemption, about 50 s on
# 3.13 and minutes on 3.14t): in full only in the long run, by PCT always.
SMALL = [model for model in MODELS if not model.__name__.startswith("submit_vs_shutdown")]
SMALL_OR_ALL = MODELS if LONG else SMALL

pytestmark = pytest.mark.timeout(1800 if LONG else 600)


@pytest.mark.parametrize("model", SMALL_OR_ALL, ids=[m.__name__ for m in SMALL_OR_ALL])
def test_every_schedule_at_primitive_level_with_one_preemption(model: Any) -> None:
    explore_every_schedule(model, level="primitive", preemptions=1)


@pytest.mark.parametrize("level", ["primitive", "bytecode"])
@pytest.mark.parametrize("model", MODELS, ids=NAMES)
def test_pct_schedules(model: Any, level: str) -> None:
    explore(model, level=level)


@pytest.mark.skipif(not LONG, reason="minutes: MINIPOOL_INTERLEAVINGS=long runs it")
@pytest.mark.parametrize("model", MODELS, ids=NAMES)
def test_every_schedule_at_primitive_level_with_two_preemptions(model: Any) -> None:
    explore_every_schedule(model, level="primitive", preemptions=2)


@pytest.mark.skipif(not LONG, reason="minutes: MINIPOOL_INTERLEAVINGS=long runs it")
@pytest.mark.parametrize("model", MODELS, ids=NAMES)
def test_every_schedule_at_bytecode_level_with_one_preemption(model: Any) -> None:
    explore_every_schedule(model, level="bytecode", preemptions=1)


# -- the search finds planted bugs ------------------------------------------


def cancel_without_the_lock(self: minipool.Future[Any]) -> bool:
    """Future.cancel() as it would be with its lock forgotten (a planted bug)."""
    if self._state in (future_module.RUNNING, future_module.FINISHED):
        return False
    if self._state in future_module.CANCELLED_STATES:
        return True
    self._state = future_module.CANCELLED
    self._invoke_callbacks()
    return True


def test_the_search_finds_a_cancel_that_forgot_its_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minipool.Future, "cancel", cancel_without_the_lock)
    with pytest.raises(interleave_test.InterleaveError):
        interleave_test.explore(
            cancel_vs_worker,
            include=[*MINIPOOL_FILES, __file__],
            strategy="pct",
            iterations=PCT_SCHEDULES,
            seed=0,
            timeout=60.0,
        )


def test_the_search_finds_an_exit_hook_that_forgets_a_late_first_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The race that the audit found in minipool's own design: without the
    # wake-up _start_worker() gives a worker started after the hook made
    # its list, that worker waits for ever.
    monkeypatch.setattr(thread_pool.ThreadPoolExecutor, "_wake_late_worker", lambda self: None)
    with pytest.raises(interleave_test.InterleaveError):
        # Found at bytecode level (the check and the worker's start are one
        # step apart there), within ten schedules.
        interleave_test.explore(
            exit_vs_submit, **LEVELS["bytecode"], strategy="dfs", max_preemptions=1,
            iterations=200_000, timeout=60.0,
        )  # fmt: skip


def test_these_tests_run_on_this_interpreter() -> None:
    # A guard: on 3.12+ the module above imported, so every model ran.
    assert sys.version_info >= (3, 12)
