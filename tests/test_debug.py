"""Debug mode: deadlocks become DeadlockError with their wait-for chain, and nothing else does.

Each deadlock shape is built with events, so that it is certainly formed; the
test then measures how long the wait takes to raise (it must be under a
second) and reads the chain in the message.  (tests/test_deadlock_table.py
runs the shapes again with a timed wait and with other threads running.)
The "no false positive" tests
make waits that look stuck for a while but can finish, and let the checker
look at them several times (``wait_for_looks``) before they are released.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import minipool
import minipool.future
from conftest import PROMPTLY
from minipool import DeadlockError, ThreadPoolExecutor
from minipool.debug import _detector

# The bound: the error comes within a second of the deadlock forming.
WITHIN = 1.0


@pytest.fixture
def pools() -> Iterator[list[ThreadPoolExecutor]]:
    """Debug pools made by a test, shut down at its end.

    The join is bounded: if a test failed with its deadlock unbroken, the
    workers never end, and a teardown that waited for them would hang the
    run (pytest-timeout does not cover a teardown after it fired once).
    """
    made: list[ThreadPoolExecutor] = []
    yield made
    for pool in made:
        pool.shutdown(wait=False)
        for thread in list(pool._threads):
            thread.join(PROMPTLY)
        stuck = [t.name for t in pool._threads if t.is_alive()]
        assert not stuck, f"workers never ended: {stuck}"


def debug_pool(pools: list[ThreadPoolExecutor], workers: int, **kwargs: Any) -> ThreadPoolExecutor:
    pool = ThreadPoolExecutor(max_workers=workers, debug=True, **kwargs)
    pools.append(pool)
    return pool


def raises_deadlock(wait: Any) -> tuple[str, float]:
    """Call *wait*; return the DeadlockError's message and how long the call took."""
    start = time.perf_counter()
    with pytest.raises(DeadlockError) as caught:
        wait()
    return str(caught.value), time.perf_counter() - start


def waiting_in_a_ring(places: list[ThreadPoolExecutor]) -> list[minipool.Future[Any]]:
    """Submit a call to each pool of *places*; call i waits for call i + 1, the last for the first.

    An event holds every call back until all are submitted, so that each
    has the next one's future to wait for.
    """
    futures: list[minipool.Future[Any]] = []
    all_submitted = threading.Event()

    def wait_for(index: int) -> Any:
        all_submitted.wait(PROMPTLY)
        return futures[index].result()

    for i, pool in enumerate(places):
        futures.append(pool.submit(wait_for, (i + 1) % len(places)))
    all_submitted.set()
    return futures


# -- the seed's two deadlocks ------------------------------------------------


def test_a_one_worker_pool_whose_task_waits_for_its_own_submit_raises(
    pools: list[ThreadPoolExecutor],
) -> None:
    pool = debug_pool(pools, 1)

    def outer() -> int:
        inner = pool.submit(abs, -1)  # queued behind outer, on the only worker
        return inner.result()

    message, took = raises_deadlock(pool.submit(outer).result)
    assert took < WITHIN
    assert message.startswith("worker ThreadPoolExecutor-")
    assert "_0 waits for <Future at 0x" in message
    assert message.endswith("state=pending>, queued in a pool whose 1 worker(s) are all waiting")


def test_two_tasks_waiting_for_each_other_raise_with_the_cycle(
    pools: list[ThreadPoolExecutor],
) -> None:
    pool = debug_pool(pools, 2, thread_name_prefix="pair")
    a, b = waiting_in_a_ring([pool, pool])
    futures = {"a": a, "b": b}
    start = time.perf_counter()
    minipool.wait(futures.values())  # no timeout: this thread is stuck too
    assert time.perf_counter() - start < WITHIN
    for future in futures.values():
        error = future.exception()
        assert isinstance(error, DeadlockError)
        # "worker pair_0 waits for <F_b> run by worker pair_1; worker pair_1
        # waits for <F_a> run by worker pair_0", starting from either worker.
        links = str(error).split(";\n")
        assert len(links) == 2
        for link, future_waited in zip(links, _order(links, futures)):
            assert "waits for %s" % _short(future_waited) in link
        assert {link.split(" ")[1] for link in links} == {"pair_0", "pair_1"}
        assert links[0].endswith("run by worker " + links[1].split(" ")[1])
        assert links[1].endswith("run by worker " + links[0].split(" ")[1])


def _short(future: minipool.Future[Any]) -> str:
    return "<Future at %#x" % id(future)


def _order(links: list[str], futures: dict[str, minipool.Future[Any]]) -> list[Any]:
    """The future each link waits for, found by address."""
    return [next(f for f in futures.values() if _short(f) in link) for link in links]


# -- four more shapes -------------------------------------------------------


def test_a_three_task_cycle_raises_in_each_with_the_whole_cycle(
    pools: list[ThreadPoolExecutor],
) -> None:
    pool = debug_pool(pools, 3)
    futures = waiting_in_a_ring([pool, pool, pool])
    start = time.perf_counter()
    minipool.wait(futures)  # no timeout: this thread is stuck too
    assert time.perf_counter() - start < WITHIN
    for future in futures:
        message = str(future.exception())
        assert message.count(";\n") == 2  # three links, one line each
        assert message.count("run by worker") == 3
        for other in futures:
            assert _short(other) in message


def test_a_cycle_across_two_pools_raises(pools: list[ThreadPoolExecutor]) -> None:
    left = debug_pool(pools, 1, thread_name_prefix="left")
    right = debug_pool(pools, 1, thread_name_prefix="right")
    on_left, _on_right = waiting_in_a_ring([left, right])
    message, took = raises_deadlock(on_left.result)
    assert took < WITHIN
    assert "worker left_0 waits for" in message
    assert "run by worker right_0" in message
    assert "worker right_0 waits for" in message
    assert "run by worker left_0" in message


def test_a_map_nested_in_a_task_of_a_full_pool_raises(pools: list[ThreadPoolExecutor]) -> None:
    pool = debug_pool(pools, 2)
    # Two outer calls fill both workers; each maps over the same pool and
    # waits for calls queued behind the other outer call.
    both_running = threading.Barrier(2)

    def outer(n: int) -> int:
        both_running.wait(PROMPTLY)
        return sum(pool.map(abs, range(n)))

    results = pool.map(outer, [3, 4])
    message, took = raises_deadlock(lambda: list(results))
    assert took < WITHIN
    assert "queued in a pool whose 2 worker(s) are all waiting" in message


def test_wait_for_pending_futures_inside_a_full_pool_raises(
    pools: list[ThreadPoolExecutor],
) -> None:
    pool = debug_pool(pools, 1)

    def outer() -> int:
        inner = [pool.submit(abs, -n) for n in range(3)]
        done, _not_done = minipool.wait(inner)  # ALL_COMPLETED, never
        return len(done)

    message, took = raises_deadlock(pool.submit(outer).result)
    assert took < WITHIN
    assert "waits for all of 3 futures, such as <Future at 0x" in message
    assert message.endswith("queued in a pool whose 1 worker(s) are all waiting")


@pytest.mark.parametrize("return_when", ["FIRST_COMPLETED", "FIRST_EXCEPTION"])
def test_a_first_wait_raises_only_when_none_of_its_futures_can_finish(
    pools: list[ThreadPoolExecutor], return_when: str
) -> None:
    pool = debug_pool(pools, 1)

    def outer() -> int:
        inner = [pool.submit(abs, -n) for n in range(2)]
        done, _ = minipool.wait(inner, return_when=return_when)
        return len(done)

    message, took = raises_deadlock(pool.submit(outer).result)
    assert took < WITHIN
    assert "waits for any of 2 futures" in message


def test_the_main_thread_in_as_completed_on_a_deadlocked_pool_gets_the_error(
    pools: list[ThreadPoolExecutor],
) -> None:
    pool = debug_pool(pools, 1)

    def outer() -> int:
        return pool.submit(abs, -1).result()

    future = pool.submit(outer)
    start = time.perf_counter()
    # The worker raises first; the main thread then sees its call fail.
    (finished,) = list(minipool.as_completed([future]))
    assert time.perf_counter() - start < WITHIN
    assert isinstance(finished.exception(), DeadlockError)


def test_shutdown_wait_from_a_worker_in_a_join_cycle_raises(
    pools: list[ThreadPoolExecutor],
) -> None:
    joining = debug_pool(pools, 1, thread_name_prefix="joining")
    joined = debug_pool(pools, 1, thread_name_prefix="joined")
    futures: dict[str, minipool.Future[Any]] = {}
    both_submitted = threading.Event()

    def shut_down_the_other_pool() -> None:
        both_submitted.wait(PROMPTLY)
        joined.shutdown(wait=True)  # joins joined_0, which waits for this call

    def wait_for_the_joiner() -> Any:
        both_submitted.wait(PROMPTLY)
        return futures["joining"].result()

    futures["joining"] = joining.submit(shut_down_the_other_pool)
    futures["joined"] = joined.submit(wait_for_the_joiner)
    both_submitted.set()
    start = time.perf_counter()
    minipool.wait(futures.values())  # no timeout: this thread is stuck too
    assert time.perf_counter() - start < WITHIN
    # Both are marked; the waiting call raises at once and its worker exits,
    # which ends the join: the shutdown then returns normally.
    message = str(futures["joined"].exception())
    assert futures["joining"].exception() is None
    assert "worker joining_0 waits to join worker joined_0" in message
    assert "worker joined_0 waits for <Future at 0x" in message
    assert "run by worker joining_0" in message


# -- no false positives ---------------------------------------------------


def test_a_wait_that_another_running_thread_will_satisfy_never_raises(
    pools: list[ThreadPoolExecutor],
) -> None:
    pool = debug_pool(pools, 1)
    outside: minipool.Future[str] = minipool.Future()  # completed by a plain thread
    release = threading.Event()

    def set_when_released() -> None:
        release.wait(PROMPTLY)
        outside.set_result("ok")

    def release_after_three_looks() -> None:
        _detector.wait_for_looks(3, PROMPTLY)
        release.set()

    setter = threading.Thread(target=set_when_released)
    setter.start()
    task = pool.submit(outside.result)
    # Let the checker look several times at the waiting worker (and this
    # thread waiting below) while the setter, blocked on an Event the
    # detector cannot see, still counts as able to act.
    watcher = threading.Thread(target=release_after_three_looks)
    watcher.start()
    assert task.result() == "ok"
    setter.join()
    watcher.join()


def test_a_queued_call_a_busy_worker_will_reach_never_raises(
    pools: list[ThreadPoolExecutor],
) -> None:
    pool = debug_pool(pools, 2)
    release = threading.Event()

    def slow() -> str:
        release.wait(PROMPTLY)
        return "slow"

    def outer() -> str:
        # Queued behind slow(); the other worker is busy but not stuck.
        return pool.submit(str, "inner").result()

    first = pool.submit(slow)
    second = pool.submit(outer)
    assert _detector.wait_for_looks(3, PROMPTLY)
    release.set()
    assert (first.result(), second.result()) == ("slow", "inner")


def test_nested_waits_that_can_finish_never_raise_under_load(
    pools: list[ThreadPoolExecutor],
) -> None:
    pool = debug_pool(pools, 8)
    leaves = debug_pool(pools, 4)

    def node(n: int) -> int:
        if n % 3 == 0:
            return leaves.submit(abs, -n).result()
        if n % 3 == 1:
            done, _ = minipool.wait([leaves.submit(abs, -n), leaves.submit(abs, 0)])
            return sum(f.result() for f in done)
        return sum(f.result() for f in minipool.as_completed([leaves.submit(abs, -n)]))

    # 3,000 calls by default; MINIPOOL_DEBUG_STRESS=100000 for the stress run.
    count = int(os.environ.get("MINIPOOL_DEBUG_STRESS", "3000"))
    found_before, watched_before = _detector.deadlocks_found, _detector.waits_watched
    assert sum(pool.map(node, range(count))) == sum(range(count))
    assert _detector.deadlocks_found == found_before
    # Most nested waits blocked, and the detector saw them (report with -s).
    print("\nstress: %d calls, %d blocking waits watched, none reported"
          % (count, _detector.waits_watched - watched_before))  # fmt: skip


def test_a_thread_in_a_timed_wait_keeps_a_deadlock_from_being_reported(
    pools: list[ThreadPoolExecutor],
) -> None:
    # The way the equivalence suite breaks a deadlock it made: this thread
    # watches with a timeout, then completes the stuck future from outside.
    pool = debug_pool(pools, 1)
    inner: list[minipool.Future[int]] = []
    submitted = threading.Event()

    def outer() -> int:
        inner.append(pool.submit(abs, -1))
        submitted.set()
        return inner[0].result()

    future = pool.submit(outer)
    assert submitted.wait(PROMPTLY)
    assert _detector.wait_for_looks(3, PROMPTLY)
    assert not minipool.wait([future], timeout=0.3).done  # hangs, as in the stdlib
    inner[0].set_result(5)
    assert future.result() == 5


def test_a_free_future_nothing_can_complete_raises(pools: list[ThreadPoolExecutor]) -> None:
    # Run in a child, where no other thread exists that might complete it.
    script = textwrap.dedent(
        """
        import minipool
        pool = minipool.ThreadPoolExecutor(max_workers=1, debug=True)
        orphan = minipool.Future()
        try:
            pool.submit(orphan.result).result()
        except minipool.DeadlockError as error:
            print(error)
        pool.shutdown()
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=PROMPTLY
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip().endswith("which no thread outside this deadlock can reach")


# -- off by default --------------------------------------------------------

SEED_DEADLOCK = textwrap.dedent(
    """
    import minipool
    pool = minipool.ThreadPoolExecutor(max_workers=1)
    def outer():
        return pool.submit(abs, -1).result()
    print("started", flush=True)
    pool.submit(outer).result()
    """
)


def run_seed_deadlock(**environment: str) -> tuple[bool, str]:
    """(hung, output) of the seed's deadlock in a child process."""
    env = {k: v for k, v in os.environ.items() if k != "MINIPOOL_DEBUG"}
    env.update(environment)
    child = subprocess.Popen(
        [sys.executable, "-c", SEED_DEADLOCK],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = child.communicate(timeout=3)
    except subprocess.TimeoutExpired:
        child.kill()
        output, _ = child.communicate()
        return True, output
    return False, output


def test_without_debug_mode_the_seed_deadlock_hangs_as_in_the_standard_library() -> None:
    hung, output = run_seed_deadlock()
    assert hung
    assert output.strip() == "started"


def test_minipool_debug_1_turns_the_same_program_into_an_error() -> None:
    hung, output = run_seed_deadlock(MINIPOOL_DEBUG="1")
    assert not hung
    assert "minipool.debug.DeadlockError: worker ThreadPoolExecutor-0_0 waits for" in output


def test_set_debug_applies_to_pools_made_afterwards_and_installs_nothing_before() -> None:
    script = textwrap.dedent(
        """
        import sys, minipool, minipool.future
        before = minipool.future.blocking_watcher
        pool = minipool.ThreadPoolExecutor(1)
        loaded = "minipool.debug" in sys.modules
        minipool.set_debug(True)
        later = minipool.ThreadPoolExecutor(1)
        print(before is None and not loaded, pool._debug, later._debug,
              minipool.future.blocking_watcher is not None)
        pool.shutdown(); later.shutdown()
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "MINIPOOL_DEBUG"}
    child = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=PROMPTLY
    )
    assert child.stdout.split() == ["True", "False", "True", "True"], child.stderr


def test_a_pool_not_in_debug_mode_has_no_hooks_at_all() -> None:
    with ThreadPoolExecutor(1, debug=False) as plain, ThreadPoolExecutor(1, debug=True) as debug:
        assert plain._hooks is None
        assert type(debug._hooks).__name__ == "DebugHooks"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_child_forked_while_the_detector_lock_is_held_can_still_detect() -> None:
    # The child gets a copy of the detector with its lock held and the
    # parent's threads registered; it must start afresh.
    script = textwrap.dedent(
        """
        import multiprocessing, warnings
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
        import minipool
        from minipool.debug import _detector

        def child():
            pool = minipool.ThreadPoolExecutor(max_workers=1, debug=True)
            def outer():
                return pool.submit(abs, -1).result()
            try:
                pool.submit(outer).result()
            except minipool.DeadlockError:
                raise SystemExit(7)
            raise SystemExit(1)

        with _detector._lock:
            process = multiprocessing.get_context("fork").Process(target=child)
            process.start()
        process.join(20)
        if process.exitcode is None:
            process.kill()
        print(process.exitcode)
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert run.stdout.strip() == "7", run.stderr
