"""The two deadlocks of the seed notes, run on concurrent.futures and on the candidate.

(a) A pool with one worker runs a task that submits to the same pool and waits
    for the result: the inner task can never start.
(b) Two tasks each wait for the other's future.

Each program must hang in the same place on both implementations: the same
line of the task, the same future states and reprs.  It must also end the same
way when the scenario breaks the hang from outside: the waiting side has a
timeout, the scenario cancels the inner future, or it completes a future
itself.  And with enough workers, or without the cycle, the same program
finishes on both.

A hang is detected with a bound: ``wait(..., timeout=HANG_CHECK)`` must
return the futures unfinished.  Every scenario then breaks the hang and shuts
its pool down, so no thread outlives the test.
"""

from __future__ import annotations

import concurrent.futures
import linecache
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Callable

import pytest

from minipool.compare import blank_addresses

from .world import World

HANG_CHECK = 0.2  # how long a wait is watched before the program is called hung
PROMPTLY = 10.0  # a bound for what must happen at once
SCENARIO_BOUND = 20.0  # a whole scenario: only an implementation that hangs reaches it


@contextmanager
def logs_of(world: World) -> Iterator[None]:
    """Collect the log records emitted by *world*'s threads (pool workers)."""

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if threading.current_thread().name.startswith(world.label + "-"):
                world.take_log_record(record, world.thread_role())

    handler = Handler(level=logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger().removeHandler(handler)


def blocked_at(thread: threading.Thread) -> str:
    """The line of this file where *thread* is blocked (its innermost frame here)."""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code.co_filename == __file__:
            return f"{frame.f_code.co_name}, line {frame.f_lineno}"
        frame = frame.f_back
    return "not in this file"


def state_of(future: Any) -> str:
    return blank_addresses(repr(future))


def hung(world: World, futures: list[Any]) -> tuple[Any, ...]:
    """Which of *futures* are still unfinished after a bounded wait (all of them: a hang)."""
    done, not_done = world.api.wait(futures, timeout=HANG_CHECK)
    return (len(done), len(not_done))


def alive_workers(world: World) -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith(f"{world.label}-pool_"))


def run_bounded(
    scenario: Callable[[World], dict[str, Any]], world: World, name: str
) -> dict[str, Any]:
    """Run *scenario* in a thread of *world*; if it hangs, fail naming the line it hangs on.

    Every call in a scenario that should return does so within PROMPTLY
    seconds on the reference (the waits that must time out have bounds of
    their own), so SCENARIO_BOUND is only reached by an implementation that
    hangs where the reference does not: in shutdown(), say.  The thread is
    a daemon and is left behind: nothing can unblock a call that hangs.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["seen"] = scenario(world)
        except BaseException as exc:  # handed to the test's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name=f"{world.label}-scenario", daemon=True)
    thread.start()
    thread.join(SCENARIO_BOUND)
    if thread.is_alive():
        where = blocked_at(thread)
        line = where.rpartition("line ")[2]
        code = linecache.getline(__file__, int(line)).strip() if line.isdigit() else ""
        raise AssertionError(
            f"{name} diverged from concurrent.futures: the scenario hung for "
            f"{SCENARIO_BOUND:.0f} s in {where}: {code}"
        )
    if "error" in box:
        raise box["error"]
    seen: dict[str, Any] = box["seen"]
    return seen


def compare(scenario: Callable[[World], dict[str, Any]], candidate: ModuleType) -> dict[str, Any]:
    """Run *scenario* on both implementations; their observations must be equal."""
    reference = World(concurrent.futures, "reference", PROMPTLY)
    tested = World(candidate, "candidate", PROMPTLY)
    with logs_of(reference):
        expected = run_bounded(scenario, reference, "concurrent.futures")
    with logs_of(tested):
        observed = run_bounded(scenario, tested, candidate.__name__)
    expected["log records"] = reference.log_records
    observed["log records"] = tested.log_records
    differences = {
        key: (expected[key], observed.get(key))
        for key in expected
        if expected[key] != observed.get(key)
    }
    assert not differences, (
        f"{candidate.__name__} diverged from concurrent.futures "
        f"(key: (reference, candidate)): {differences}"
    )
    return expected


# -- (a) a one-worker pool whose task submits to the same pool and waits ----------


def waits_on_itself(workers: int, breaks_by: str) -> Callable[[World], dict[str, Any]]:
    def scenario(world: World) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        pool = world.api.ThreadPoolExecutor(workers, thread_name_prefix=f"{world.label}-pool")
        inner_holder: list[Any] = []
        about_to_wait = threading.Event()
        worker: list[threading.Thread] = []

        def wait_on_future() -> Any:
            inner = pool.submit(pow, 5, 2)
            inner_holder.append(inner)
            worker.append(threading.current_thread())
            about_to_wait.set()
            if breaks_by == "timeout on the waiting side":
                return inner.result(timeout=HANG_CHECK)
            return inner.result()  # the seed's line: never returns with one worker

        outer = pool.submit(wait_on_future)
        assert about_to_wait.wait(PROMPTLY)
        inner = inner_holder[0]
        # With a timeout on the waiting side the hang ends by itself, at a time
        # this check would race; such scenarios are compared by how they end.
        if breaks_by != "timeout on the waiting side":
            seen["unfinished after the bounded wait"] = hung(world, [outer])
            seen["while hung"] = (state_of(outer), state_of(inner))
            seen["the worker is blocked at"] = blocked_at(worker[0]) if not outer.done() else "-"

        if breaks_by == "cancel the inner future":
            seen["inner.cancel()"] = world.outcome_of(inner.cancel)
        elif breaks_by == "complete the inner future":
            seen["inner.set_result(25)"] = world.outcome_of(lambda: inner.set_result(25))
        seen["outer.result()"] = world.outcome_of(lambda: outer.result(timeout=PROMPTLY))
        pool.shutdown(wait=True)
        seen["after shutdown"] = (state_of(outer), state_of(inner))
        seen["inner.result()"] = world.outcome_of(lambda: inner.result(timeout=0))
        seen["workers alive"] = alive_workers(world)
        return seen

    return scenario


@pytest.mark.parametrize(
    "breaks_by",
    ["timeout on the waiting side", "cancel the inner future", "complete the inner future"],
)
def test_one_worker_waiting_on_its_own_pool_hangs_alike_and_ends_alike(
    candidate: ModuleType, breaks_by: str
) -> None:
    seen = compare(waits_on_itself(1, breaks_by), candidate)
    # The scenario really is the deadlock (on the reference): the outer task
    # stayed unfinished through the bounded wait, blocked at the inner result().
    if breaks_by != "timeout on the waiting side":
        assert seen["unfinished after the bounded wait"] == (0, 1)
        assert seen["while hung"][1].endswith("state=pending>")
        assert seen["the worker is blocked at"].startswith("wait_on_future")


def test_with_two_workers_the_same_program_finishes_on_both(candidate: ModuleType) -> None:
    seen = compare(waits_on_itself(2, "nothing"), candidate)
    assert seen["outer.result()"] == ("returned", 25)


# -- (b) two tasks, each waiting on the other's future ------------------------------


def wait_on_each_other(
    workers: int, breaks_by: str, cycle: bool = True
) -> Callable[[World], dict[str, Any]]:
    def scenario(world: World) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        pool = world.api.ThreadPoolExecutor(workers, thread_name_prefix=f"{world.label}-pool")
        futures: dict[str, Any] = {}
        both_submitted = threading.Event()
        waiting = {"a": threading.Event(), "b": threading.Event()}
        threads: dict[str, threading.Thread] = {}

        def wait_on_b() -> Any:
            assert both_submitted.wait(PROMPTLY)
            threads["a"] = threading.current_thread()
            waiting["a"].set()
            if breaks_by == "timeout on the waiting side":
                return futures["b"].result(timeout=HANG_CHECK)
            return futures["b"].result()  # b will never complete: it waits on a

        def wait_on_a() -> Any:
            assert both_submitted.wait(PROMPTLY)
            threads["b"] = threading.current_thread()
            waiting["b"].set()
            if not cycle:
                return 6
            return futures["a"].result()  # a will never complete: it waits on b

        futures["a"] = pool.submit(wait_on_b)
        futures["b"] = pool.submit(wait_on_a)
        both_submitted.set()
        assert waiting["a"].wait(PROMPTLY)
        if workers >= 2:
            assert waiting["b"].wait(PROMPTLY)
        a, b = futures["a"], futures["b"]
        if breaks_by != "timeout on the waiting side":  # see waits_on_itself
            seen["unfinished after the bounded wait"] = hung(world, [a, b])
            seen["while hung"] = (state_of(a), state_of(b))
            seen["blocked at"] = sorted(
                f"{name}: {blocked_at(thread)}"
                for name, thread in threads.items()
                if not futures[name].done()
            )

        if breaks_by == "cancel a, then complete a":
            seen["a.cancel()"] = world.outcome_of(a.cancel)
            seen["still unfinished"] = hung(world, [a, b])
        if breaks_by in ("complete a", "cancel a, then complete a"):
            seen["a.set_result('outside')"] = world.outcome_of(lambda: a.set_result("outside"))
        if breaks_by == "complete b":
            seen["b.set_result('outside')"] = world.outcome_of(lambda: b.set_result("outside"))
        seen["b.result()"] = world.outcome_of(lambda: b.result(timeout=PROMPTLY))
        seen["a.result()"] = world.outcome_of(lambda: a.result(timeout=PROMPTLY))
        pool.shutdown(wait=True)
        seen["after shutdown"] = (state_of(a), state_of(b))
        seen["workers alive"] = alive_workers(world)
        return seen

    return scenario


@pytest.mark.parametrize(
    "breaks_by", ["timeout on the waiting side", "complete a", "cancel a, then complete a"]
)
def test_two_tasks_waiting_on_each_other_hang_alike_and_end_alike(
    candidate: ModuleType, breaks_by: str
) -> None:
    seen = compare(wait_on_each_other(2, breaks_by), candidate)
    if breaks_by != "timeout on the waiting side":
        assert seen["unfinished after the bounded wait"] == (0, 2)
        assert len(seen["blocked at"]) == 2


def test_more_workers_do_not_break_a_cycle_on_either(candidate: ModuleType) -> None:
    seen = compare(wait_on_each_other(4, "complete a"), candidate)
    assert seen["unfinished after the bounded wait"] == (0, 2)


def test_with_one_worker_the_seed_program_starves_alike(candidate: ModuleType) -> None:
    """The seed's (b) with one worker: b never starts, so a waits on queued work."""
    seen = compare(wait_on_each_other(1, "complete b"), candidate)
    assert seen["while hung"][1].endswith("state=pending>")


def test_without_the_cycle_the_same_program_finishes_on_both(candidate: ModuleType) -> None:
    seen = compare(wait_on_each_other(2, "nothing", cycle=False), candidate)
    assert seen["a.result()"] == ("returned", 6)
