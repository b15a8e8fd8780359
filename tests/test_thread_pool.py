"""ThreadPoolExecutor: submit, map, shutdown, workers, initializers, exit; on both."""

from __future__ import annotations

import concurrent.futures
import gc
import logging
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
import threading
from types import ModuleType
from typing import Any

import pytest

import minipool
from conftest import PROMPTLY, Gate, LogRecords, assert_same, error_of

# -- submit -------------------------------------------------------------------


def test_submit_passes_positional_and_keyword_arguments(impl: ModuleType) -> None:
    def echo(*args: Any, **kwargs: Any) -> Any:
        return args, kwargs

    with impl.ThreadPoolExecutor(1) as pool:
        # "fn" and "self" are fine as keywords: submit's own parameters are positional-only.
        future = pool.submit(echo, 1, 2, fn="f", self="s")
        assert future.result(PROMPTLY) == ((1, 2), {"fn": "f", "self": "s"})


def test_submit_errors_are_the_same() -> None:
    def scenario(impl: ModuleType) -> Any:
        with impl.ThreadPoolExecutor(1) as pool:
            missing_fn = error_of(lambda: pool.submit(fn=print))
            not_callable = pool.submit(42).exception(PROMPTLY)
        return [missing_fn, (type(not_callable).__name__, str(not_callable))]

    assert assert_same(scenario)[1] == ("TypeError", "'int' object is not callable")


def test_a_base_exception_goes_into_the_future_and_the_worker_lives_on(impl: ModuleType) -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt

    with impl.ThreadPoolExecutor(1) as pool:
        interrupted = pool.submit(interrupt)
        assert isinstance(interrupted.exception(PROMPTLY), KeyboardInterrupt)
        assert pool.submit(pow, 2, 5).result(PROMPTLY) == 32
        assert len(pool._threads) == 1


# A worker counts itself idle only after it has set the result, so the next
# submit() may come first and start a second thread: rare with the GIL, common
# without it.  CPython skips its own such test there too (gh-117344).
@pytest.mark.skipif(
    bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    reason="racy without the GIL in both implementations (gh-117344)",
)
def test_idle_threads_are_reused(impl: ModuleType) -> None:
    with impl.ThreadPoolExecutor(4) as pool:
        for n in range(5):
            assert pool.submit(pow, 2, n).result(PROMPTLY) == 2**n
        assert len(pool._threads) == 1


def test_threads_are_started_up_to_max_workers(impl: ModuleType) -> None:
    gate = Gate()
    with impl.ThreadPoolExecutor(3) as pool:
        for key in range(6):
            pool.submit(gate.task, key)
        for key in range(3):
            gate.wait_started(key)
        assert len(pool._threads) == 3 == pool._max_workers
        gate.open_all()
    assert sorted(gate.ran) == list(range(6))


# -- constructor arguments -----------------------------------------------------


def test_default_max_workers_is_the_same() -> None:
    observed = assert_same(lambda impl: impl.ThreadPoolExecutor()._max_workers)
    cpus = os.process_cpu_count() if sys.version_info >= (3, 13) else os.cpu_count()
    assert observed == min(32, (cpus or 1) + 4)


@pytest.mark.parametrize("max_workers", [0, -1, "2", 1.5])
def test_bad_max_workers_get_the_same_error(max_workers: Any) -> None:
    def scenario(impl: ModuleType) -> Any:
        try:
            pool = impl.ThreadPoolExecutor(max_workers)
        except Exception as exc:
            return (type(exc).__name__, str(exc))
        with pool:
            return ("accepted", pool._max_workers, pool.submit(abs, -3).result(PROMPTLY))

    assert_same(scenario)


def test_non_callable_initializer_gets_the_same_error() -> None:
    assert_same(lambda impl: error_of(lambda: impl.ThreadPoolExecutor(1, initializer=3)))


def test_threads_are_named_like_the_standard_librarys(impl: ModuleType) -> None:
    names: list[str] = []
    for prefix in ("", "jobs"):
        gate = Gate()
        with impl.ThreadPoolExecutor(2, thread_name_prefix=prefix) as pool:
            pool.submit(gate.task, (prefix, 0))
            pool.submit(gate.task, (prefix, 1))
            gate.wait_started((prefix, 1))
            names += sorted(t.name for t in pool._threads)
            gate.open_all()
    assert re.fullmatch(r"ThreadPoolExecutor-(\d+)_0", names[0])
    assert names[1] == names[0][:-1] + "1"
    assert names[2:] == ["jobs_0", "jobs_1"]


def test_initializer_runs_once_in_each_worker_with_initargs(impl: ModuleType) -> None:
    calls: list[tuple[str, tuple[Any, ...]]] = []
    gate = Gate()

    def initializer(*args: Any) -> None:
        calls.append((threading.current_thread().name, args))

    with impl.ThreadPoolExecutor(2, "init", initializer, ("a", 1)) as pool:
        for key in range(2):
            pool.submit(gate.task, key)
        for key in range(2):
            gate.wait_started(key)
        gate.open_all()
    assert sorted(calls) == [("init_0", ("a", 1)), ("init_1", ("a", 1))]


def observe_a_broken_pool(make_pool: Any) -> list[Any]:
    """Make a pool whose worker fails to start; observe a queued call, a later submit, the log."""
    log = LogRecords()
    logger = logging.getLogger("concurrent.futures")
    logger.addHandler(log)
    logger.propagate = False
    try:
        pool = make_pool()
        error = pool.submit(pow, 2, 2).exception(PROMPTLY)
        later = error_of(lambda: pool.submit(pow, 2, 2))
        pool.shutdown(wait=True)
    finally:
        logger.removeHandler(log)
        logger.propagate = True
    return [type(error).__name__, str(error), later, log.summary()]


def test_a_failing_initializer_breaks_the_pool_the_same_way() -> None:
    def fail() -> None:
        raise ValueError("no database")

    def scenario(impl: ModuleType) -> Any:
        return observe_a_broken_pool(lambda: impl.ThreadPoolExecutor(1, initializer=fail))

    observed = assert_same(scenario)
    assert observed[0] == "BrokenThreadPool"
    assert observed[1] == "A thread initializer failed, the thread pool is not usable anymore"
    assert observed[3] == [("CRITICAL", "Exception in initializer:", "ValueError")]


def test_a_failing_initializer_skips_a_cancelled_queued_future_where_the_stdlib_stops(
    impl: ModuleType,
) -> None:
    # docs/differences.rst: the standard library calls set_exception() on
    # every queued future, so a cancelled one raises InvalidStateError in the
    # worker, which dies, and the futures queued after it stay pending for
    # ever.  minipool skips the cancelled one and fails the rest.
    initializing, fail_now = threading.Event(), threading.Event()

    def initializer() -> None:
        initializing.set()
        assert fail_now.wait(PROMPTLY)
        raise ValueError("no database")

    errors_in_threads: list[str] = []
    old_hook = threading.excepthook
    threading.excepthook = lambda args: errors_in_threads.append(args.exc_type.__name__)
    logger = logging.getLogger("concurrent.futures")
    logger.disabled = True  # the initializer's failure is logged: expected here
    try:
        pool = impl.ThreadPoolExecutor(1, initializer=initializer)
        first, cancelled, last = (pool.submit(pow, 2, n) for n in range(3))
        assert initializing.wait(PROMPTLY)
        assert cancelled.cancel()
        fail_now.set()
        assert type(first.exception(PROMPTLY)).__name__ == "BrokenThreadPool"
        pool.shutdown(wait=True)
    finally:
        threading.excepthook = old_hook
        logger.disabled = False
    if impl is concurrent.futures:
        assert errors_in_threads == ["InvalidStateError"]
        assert not last.done()  # lost: nothing will ever complete it
    else:
        assert errors_in_threads == []
        assert type(last.exception(PROMPTLY)).__name__ == "BrokenThreadPool"
    assert cancelled.cancelled()


# -- map -------------------------------------------------------------------------


def test_map_yields_results_in_input_order_whatever_the_finishing_order(
    impl: ModuleType,
) -> None:
    gates = [threading.Event() for _ in range(3)]

    def task(index: int) -> int:
        assert gates[index].wait(PROMPTLY)
        if index > 0:
            gates[index - 1].set()  # task 2 finishes first, then 1, then 0
        return index * 10

    with impl.ThreadPoolExecutor(3) as pool:
        results = pool.map(task, range(3))
        gates[2].set()
        assert list(results) == [0, 10, 20]


def test_map_zips_several_iterables_and_accepts_chunksize(impl: ModuleType) -> None:
    with impl.ThreadPoolExecutor(2) as pool:
        assert list(pool.map(pow, [2, 3, 4], [1, 2], chunksize=7)) == [2, 9]


def test_map_submits_everything_before_returning(impl: ModuleType) -> None:
    gate = Gate()
    with impl.ThreadPoolExecutor(2) as pool:
        results = pool.map(gate.task, range(2))
        gate.wait_started(0)  # running although nobody called next() yet
        gate.wait_started(1)
        gate.open_all()
        assert list(results) == [0, 1]


def test_map_timeout_raises_and_cancels_what_did_not_start() -> None:
    def scenario(impl: ModuleType) -> Any:
        gate = Gate()
        with impl.ThreadPoolExecutor(1) as pool:
            futures_before = pool.submit(gate.task, "first")
            results = pool.map(gate.task, ["second", "third"], timeout=0.01)
            error = error_of(lambda: next(results))
            gate.open_all()
        return [error[0], futures_before.result(), sorted(gate.ran)]

    observed = assert_same(scenario)
    # From 3.10.7 the future whose wait timed out is cancelled too (gh-95166);
    # before, only the ones after it, so "second" still runs.
    ran = ["first"] if sys.version_info >= (3, 10, 7) else ["first", "second"]
    assert observed == ["TimeoutError", "first", ran]


def test_map_reraises_a_call_error_at_its_position_and_cancels_the_rest() -> None:
    def scenario(impl: ModuleType) -> Any:
        gate = Gate()

        def task(key: str) -> str:
            if key == "bad":
                raise ValueError("bad input")
            return gate.task(key)

        with impl.ThreadPoolExecutor(1) as pool:
            results = pool.map(task, ["bad", "blocked", "queued"])
            gate.wait_started("blocked")  # the one worker is busy with it
            error = error_of(lambda: next(results))
            gate.open_all()
        return [error, sorted(gate.ran)]

    assert assert_same(scenario) == [("ValueError", "bad input"), ["blocked"]]


def test_closing_the_map_iterator_cancels_the_calls_not_started() -> None:
    def scenario(impl: ModuleType) -> Any:
        gate = Gate()
        with impl.ThreadPoolExecutor(1) as pool:
            results = pool.map(gate.task, range(4))
            gate.open(0)
            first = next(results)
            gate.wait_started(1)
            results.close()  # 1 is running; 2 and 3 are still queued
            gate.open_all()
        return [first, sorted(gate.ran)]

    assert assert_same(scenario) == [0, [0, 1]]


def test_map_over_a_failing_iterable_raises_and_loses_no_started_call() -> None:
    def scenario(impl: ModuleType) -> Any:
        ran: list[int] = []

        def inputs() -> Any:
            yield 1
            yield 2
            raise OSError("input broke")

        with impl.ThreadPoolExecutor(2) as pool:
            error = error_of(lambda: pool.map(ran.append, inputs()))
        return [error, sorted(ran)]

    assert assert_same(scenario) == [("OSError", "input broke"), [1, 2]]


# -- shutdown -----------------------------------------------------------------------


def test_submit_after_shutdown_raises_the_same_error() -> None:
    def scenario(impl: ModuleType) -> Any:
        pool = impl.ThreadPoolExecutor(1)
        pool.shutdown()
        pool.shutdown()  # twice is fine
        return error_of(lambda: pool.submit(pow, 2, 2))

    assert assert_same(scenario) == ("RuntimeError", "cannot schedule new futures after shutdown")


def test_shutdown_cancel_futures_cancels_only_the_queued_calls(impl: ModuleType) -> None:
    gate = Gate()
    pool = impl.ThreadPoolExecutor(1)
    running = pool.submit(gate.task, "running")
    queued = [pool.submit(gate.task, n) for n in range(3)]
    gate.wait_started("running")
    pool.shutdown(wait=False, cancel_futures=True)
    assert all(f.cancelled() for f in queued)
    assert not running.cancelled()
    gate.open_all()
    pool.shutdown(wait=True)
    assert running.result() == "running"
    assert gate.ran == ["running"]


def test_shutdown_without_wait_returns_while_calls_run(impl: ModuleType) -> None:
    gate = Gate()
    pool = impl.ThreadPoolExecutor(2)
    futures = [pool.submit(gate.task, n) for n in range(4)]
    gate.wait_started(0)
    pool.shutdown(wait=False)  # returns although every call is blocked
    assert not any(f.done() for f in futures)
    gate.open_all()
    # Work queued before the shutdown still runs.
    assert [f.result(PROMPTLY) for f in futures] == [0, 1, 2, 3]
    for thread in pool._threads:
        thread.join(PROMPTLY)
        assert not thread.is_alive()


def test_leaving_the_with_block_waits_for_every_call(impl: ModuleType) -> None:
    with impl.ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(pow, 3, n) for n in range(20)]
    assert all(f.done() for f in futures)
    assert not any(t.is_alive() for t in pool._threads)


def test_a_garbage_collected_pool_lets_its_workers_exit(
    impl: ModuleType, futures_log: LogRecords
) -> None:
    pool = impl.ThreadPoolExecutor(3)
    futures = [pool.submit(pow, 2, n) for n in range(3)]
    assert [f.result(PROMPTLY) for f in futures] == [1, 2, 4]
    threads = list(pool._threads)
    del pool
    gc.collect()
    for thread in threads:
        thread.join(PROMPTLY)
        assert not thread.is_alive()
    assert futures_log.records == []  # they exited cleanly, not by crashing


def test_minipool_callback_that_submits_during_shutdown_gets_an_error() -> None:
    # A documented difference: the standard library cancels queued futures
    # while holding the pool's lock, so such a callback deadlocks there.
    # minipool runs callbacks without holding a lock.
    gate = Gate()
    pool = minipool.ThreadPoolExecutor(1)
    pool.submit(gate.task, "running")
    queued = pool.submit(gate.task, "queued")
    seen: list[tuple[str, str]] = []
    queued.add_done_callback(lambda f: seen.append(error_of(lambda: pool.submit(pow, 2, 2))))
    gate.wait_started("running")
    pool.shutdown(wait=False, cancel_futures=True)
    gate.open_all()
    pool.shutdown()
    assert seen == [("RuntimeError", "cannot schedule new futures after shutdown")]


# -- interpreter exit (in a child interpreter) ------------------------------------


def run_child(impl_name: str, code: str, timeout: float = 60) -> tuple[int, str, str]:
    script = f"import {impl_name} as impl\n" + textwrap.dedent(code)
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout
    )
    return child.returncode, child.stdout, child.stderr


def test_work_submitted_before_exit_runs_before_the_interpreter_ends() -> None:
    code = """
        import threading
        started = threading.Event()
        def task():
            started.set()
            # Still running when the main thread ends: the exit hook waits for it.
            threading.Event().wait(0.2)
            print("task finished", flush=True)
        pool = impl.ThreadPoolExecutor(1)
        pool.submit(task)
        started.wait()
        print("main finished", flush=True)
    """
    stdlib = run_child("concurrent.futures", code)
    ours = run_child("minipool", code)
    assert ours == stdlib
    assert ours == (0, "main finished\ntask finished\n", "")


def test_submit_once_the_interpreter_is_exiting_raises_the_same_errors() -> None:
    # atexit functions run after the pools' exit hook.  A pool whose workers
    # exited counts as shut down; a pool that never started one does not.
    code = """
        import atexit
        used, unused = impl.ThreadPoolExecutor(1), impl.ThreadPoolExecutor(1)
        used.submit(pow, 2, 2).result()
        @atexit.register
        def submit_at_exit():
            for pool in (used, unused):
                try:
                    pool.submit(pow, 2, 2)
                except RuntimeError as exc:
                    print(exc)
    """
    stdlib = run_child("concurrent.futures", code)
    ours = run_child("minipool", code)
    assert ours == stdlib
    assert ours[1] == (
        "cannot schedule new futures after shutdown\n"
        "cannot schedule new futures after interpreter shutdown\n"
    )


def test_a_first_worker_started_as_the_exit_hook_runs_still_ends() -> None:
    # The race of minipool's design (the standard library's submit() holds
    # its global lock throughout, and has none): submit() to a pool with no
    # worker yet reads "not exiting", then the exit hook runs and lists the
    # live workers, then submit() starts the pool's first worker.  Forced
    # here: the hook runs at the moment submit() takes the global lock to
    # start the worker.  The call must run and the interpreter must end.
    code = """
        import threading
        import minipool.thread_pool as thread_pool
        real_lock = thread_pool._global_shutdown_lock

        class HookRunsFirst:
            def __enter__(self):
                thread_pool._global_shutdown_lock = real_lock
                thread_pool._join_workers_at_exit()  # lists no worker of this pool
                # It has run, as it runs once at a real exit: not again at
                # this one (minipool's is the only hook registered here).
                threading._threading_atexits.clear()
                real_lock.acquire()
            def __exit__(self, *exc_info):
                real_lock.release()

        pool = impl.ThreadPoolExecutor(1)
        thread_pool._global_shutdown_lock = HookRunsFirst()
        print(pool.submit(pow, 2, 5).result(), flush=True)
    """
    try:
        returncode, out, err = run_child("minipool", code, timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("the interpreter did not end: the late worker was never woken")
    assert (returncode, out, err) == (0, "32\n", "")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_child_forked_while_a_submit_holds_the_pool_lock_still_exits() -> None:
    # multiprocessing's forked children run the interpreter-exit hooks when
    # they end.  The child has a copy of the pool's lock, here held, as if a
    # submit() in another thread had been half-way through at the fork; the
    # exit hook must not wait for it (CPython's bpo-45021 is the same trap).
    code = """
        import multiprocessing, warnings
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        pool = impl.ThreadPoolExecutor(1)
        pool.submit(pow, 2, 2).result()
        with pool._shutdown_lock:
            child = multiprocessing.get_context("fork").Process(target=int)
            child.start()
        child.join(20)
        if child.exitcode is None:
            child.kill()
            child.join()
            print("the child hung at exit")
        else:
            print("child exit code", child.exitcode)
        pool.shutdown()
    """
    stdlib = run_child("concurrent.futures", code)
    ours = run_child("minipool", code)
    assert ours == stdlib
    assert ours == (0, "child exit code 0\n", "")


# -- 3.14's worker contexts (prepare_context, BROKEN, **ctxkwargs) ----------------


def test_the_worker_context_hook_exists_where_the_standard_library_has_it() -> None:
    def scenario(impl: ModuleType) -> list[Any]:
        pool_class = impl.ThreadPoolExecutor
        observed: list[Any] = [
            hasattr(pool_class, "prepare_context"),
            hasattr(pool_class, "BROKEN"),
        ]
        # An unknown keyword argument: the same TypeError, on every version, and
        # checked before max_workers or after it, as there (first before 3.14).
        for max_workers in (1, 0):
            try:
                pool_class(max_workers, nonsense=True)
            except (TypeError, ValueError) as error:
                observed.append(repr(error))
        try:
            pool_class(1, initializer=42)
        except TypeError as error:
            observed.append(str(error))
        return observed

    assert_same(scenario)


needs_worker_contexts = pytest.mark.skipif(
    not hasattr(concurrent.futures.ThreadPoolExecutor, "prepare_context"),
    reason="the standard library's pool has no prepare_context() before 3.14",
)


@needs_worker_contexts
def test_a_subclass_with_its_own_worker_context_runs_the_same() -> None:
    # A subclass that decorates every call's result, counts its contexts, takes
    # a keyword argument of its own, and says "Broken" with its own class.
    def scenario(impl: ModuleType) -> list[Any]:
        events: list[Any] = []
        lock = threading.Lock()

        class Context:
            def __init__(self, tag: str) -> None:
                self.tag = tag

            def initialize(self) -> None:
                with lock:
                    events.append(("initialize", self.tag))

            def run(self, task: Any) -> Any:
                fn, args = task
                return (self.tag, fn(*args))

            def finalize(self) -> None:
                with lock:
                    events.append(("finalize", self.tag))

        class TaggingPool(impl.ThreadPoolExecutor):  # type: ignore[misc,name-defined]
            @classmethod
            def prepare_context(cls, initializer: Any, initargs: Any, tag: str = "?") -> Any:
                def create_context() -> Context:
                    return Context(tag)

                def resolve_task(fn: Any, args: Any, kwargs: Any) -> Any:
                    if kwargs:
                        raise ValueError("no keyword arguments here")
                    return (fn, args)

                return create_context, resolve_task

        with TaggingPool(max_workers=1, tag="t") as pool:
            results = [pool.submit(pow, 2, n).result() for n in range(3)]
            try:
                pool.submit(pow, 2, exp=3)
            except ValueError as error:
                results.append(str(error))
            results.append(list(pool.map(abs, [-1, -2])))
        return [results, events]

    observed = assert_same(scenario)
    assert observed[1] == [("initialize", "t"), ("finalize", "t")]


@needs_worker_contexts
def test_a_failing_context_initializer_breaks_the_pool_with_the_class_error() -> None:
    def scenario(impl: ModuleType) -> list[Any]:
        class Broken(impl.BrokenExecutor):  # type: ignore[misc,name-defined]
            pass

        class FailingContext:
            def initialize(self) -> None:
                raise OSError("no such resource")

            def run(self, task: Any) -> Any:
                raise AssertionError("never runs")

            def finalize(self) -> None:
                raise AssertionError("not called after a failed initialize")

        class FailingPool(impl.ThreadPoolExecutor):  # type: ignore[misc,name-defined]
            BROKEN = Broken

            @classmethod
            def prepare_context(cls, initializer: Any, initargs: Any) -> Any:
                return FailingContext, lambda fn, args, kwargs: (fn, args, kwargs)

        return observe_a_broken_pool(lambda: FailingPool(max_workers=1))

    observed = assert_same(scenario)
    assert observed[0] == "Broken"
    assert observed[2][0] == "Broken"
    assert observed[3] == [("CRITICAL", "Exception in initializer:", "OSError")]
