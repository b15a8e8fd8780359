"""The tour's steps, each written once against the concurrent.futures names.

A step gets the implementation's module, the settings (``unit``: the seconds
one simulated I/O call waits) and an :class:`~minipool.tour.engine.Observation`
to fill: ``see()`` what must be equal on every implementation, ``say()``
what to tell the reader.  The durations are spaced a multiple of ``unit``
apart, so that on an idle machine the calls finish in the order the narration
tells; the order and wait steps also gate their calls on events (see
``_GATES``), so that what is compared stays certain on a loaded one.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import sys
import tempfile
import threading
import time
from types import ModuleType
from typing import Any, Callable, Dict, List, Tuple

from minipool.tour.engine import Observation, Step
from minipool.tour.progress import Progress
from minipool.tour.watchdog import hangs, where_threads_wait

# How long the deadlock steps wait before they call a program stuck: ten
# simulated I/O calls, far more than the programs need when they can finish.
HANG_BOUND_UNITS = 10


def io_task(seconds: float) -> float:
    """Stand-in for a call that waits on I/O: it sleeps, then returns its duration."""
    time.sleep(seconds)
    return seconds


def sync_vs_async(impl: ModuleType, settings: Any, seen: Observation) -> None:
    unit = settings.unit
    started = time.perf_counter()
    for _ in range(3):
        io_task(unit)
    sequential = time.perf_counter() - started

    # The overlap is what is compared, and it is seen without timing: each
    # call waits at a barrier for the other two, which only passes if all
    # three run at the same time (a pool of one thread would break it).
    together = threading.Barrier(3)

    def io_task_together(seconds: float) -> float:
        together.wait(timeout=HANG_BOUND_UNITS * unit)
        return io_task(seconds)

    started = time.perf_counter()
    with impl.ThreadPoolExecutor(max_workers=3) as executor:
        futures = [executor.submit(io_task_together, unit) for _ in range(3)]
        results = [future.result() for future in futures]
    overlapped = time.perf_counter() - started
    seen.see("results", results)
    seen.say("three calls that each wait %.2f s, one after another: %.2f s", unit, sequential)
    seen.say(
        "the same three calls in a pool of three threads: %.2f s (the waits overlap)", overlapped
    )


def submit_and_future(impl: ModuleType, settings: Any, seen: Observation) -> None:
    with impl.ThreadPoolExecutor(max_workers=1) as executor:
        seen.say("executor.submit(pow, 2, 3).result() = %r", executor.submit(pow, 2, 3).result())
        started, go = threading.Event(), threading.Event()

        def busy() -> None:  # keeps the only worker busy until "go"
            started.set()
            go.wait()

        first = executor.submit(busy)
        second = executor.submit(pow, 2, 3)
        started.wait()
        seen.say(
            "while the only worker is busy, the next one: %s", seen.see("queued", repr(second))
        )
        seen.say("the busy one: %s", seen.see("running", repr(first)))
        seen.see("done while queued", second.done())
        go.set()
        seen.see("result", second.result())
        seen.say("done() = %s: %s", second.done(), seen.see("finished", repr(second)))


# Events that a step's calls wait on, by name.  Spacing the durations orders
# the calls only on a machine with time to spare (a loaded one can start a
# worker a whole unit late), so the order and wait steps also gate their
# calls on events.  The calls name their events instead of closing over them:
# dask.distributed, which the scale-out path runs them on
# (tests/clients/dask_pool.py), pickles every call, and an Event cannot be
# pickled.  A name can, and finds the same Event wherever the call runs in
# this process.
_GATES: Dict[str, threading.Event] = {}
_GATES_LOCK = threading.Lock()  # guards _GATES and _gate_numbers: many threads use them
_gate_numbers = itertools.count()


def _new_gates(*roles: str) -> List[str]:
    """A fresh, unique name for each role (one Event each), for one run of a step."""
    with _GATES_LOCK:
        number = next(_gate_numbers)
        names = [f"{role}-{number}" for role in roles]
        for name in names:
            _GATES[name] = threading.Event()
    return names


def _gate(name: str) -> threading.Event | None:
    """The Event named *name*; None once its step is over (a wrong pool's late call)."""
    with _GATES_LOCK:
        return _GATES.get(name)


def _drop_gates(names: List[str]) -> None:
    with _GATES_LOCK:
        for name in names:
            _GATES.pop(name, None)


def _open_gate(name: str) -> None:
    event = _gate(name)
    assert event is not None, name
    event.set()


def _opener(name: str) -> Callable[[Any], None]:
    """A done callback that opens gate *name* (the future is done when it runs)."""
    # The Event itself, looked up now: a callback is not pickled, and it may
    # run just after wait() has returned and the step has dropped its names.
    event = _gate(name)
    assert event is not None
    return lambda _future: event.set()


def gated_io_task(seconds: float, after: Tuple[str, ...], bound: float) -> float:
    """io_task(seconds), then wait for each gate in *after* (at most *bound* each)."""
    io_task(seconds)
    for name in after:
        event = _gate(name)
        if event is not None:
            event.wait(timeout=bound)  # bounded: a wrong pool must not hang the tour
    return seconds


def failing_io_task(seconds: float, after: Tuple[str, ...], bound: float) -> None:
    """gated_io_task(), then raise ValueError."""
    gated_io_task(seconds, after, bound)
    raise ValueError("failed after %.2f s" % seconds)


def as_completed_vs_map(impl: ModuleType, settings: Any, seen: Observation) -> None:
    durations = [round(n * settings.unit, 3) for n in (3, 1, 2)]
    bound = HANG_BOUND_UNITS * settings.unit
    # Each call, after its wait, also waits until the next shorter one has
    # finished (its done callback opens the gate): the completion order is
    # the order of the durations under any load, and on an idle machine no
    # call waits longer than before.
    gates = dict(zip(durations, _new_gates("3 units done", "1 unit done", "2 units done")))
    try:
        with impl.ThreadPoolExecutor(max_workers=3) as executor:
            futures = []
            for d in durations:
                shorter = [e for e in durations if e < d]
                after = (gates[max(shorter)],) if shorter else ()
                future = executor.submit(gated_io_task, d, after, bound)
                future.add_done_callback(_opener(gates[d]))
                futures.append(future)
            completion = [future.result() for future in impl.as_completed(futures)]
            in_order = list(executor.map(io_task, durations))
    finally:
        _drop_gates(list(gates.values()))
    seen.say("tasks taking %s s", durations)
    seen.say(
        "as_completed(): %s  (first finished, first out)", seen.see("as_completed", completion)
    )
    seen.say("map():          %s  (input order)", seen.see("map", in_order))


def wait_each_return_when(impl: ModuleType, settings: Any, seen: Observation) -> None:
    unit = settings.unit
    bound = HANG_BOUND_UNITS * unit
    with impl.ThreadPoolExecutor(max_workers=3) as executor:
        for return_when in ("FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"):
            # The durations (1, 2 and 6 units) decide what wait() sees only on
            # a machine with time to spare.  Two gates make it certain under
            # any load, and cost nothing on an idle machine: a call that wait()
            # must not see finished is held, after its sleep, until wait() has
            # returned; and the failing call raises only once quick is done.
            returned, quick_done = gates = _new_gates("wait returned", "quick done")
            try:
                hold_failing = (returned,) if return_when == "FIRST_COMPLETED" else ()
                hold_slow = () if return_when == "ALL_COMPLETED" else (returned,)
                quick = executor.submit(io_task, unit)
                quick.add_done_callback(_opener(quick_done))
                failing = executor.submit(
                    failing_io_task, 2 * unit, (quick_done, *hold_failing), bound
                )
                slow = executor.submit(gated_io_task, 6 * unit, hold_slow, bound)
                names = {quick: "quick", failing: "failing", slow: "slow"}
                result = impl.wait([quick, failing, slow], return_when=getattr(impl, return_when))
                _open_gate(returned)
                done = sorted(names[f] for f in result.done)
                not_done = sorted(names[f] for f in result.not_done)
                seen.see(return_when, (type(result).__name__, done, not_done))
                seen.say(
                    "%-15s -> %s(done=%s, not_done=%s)",
                    return_when,
                    type(result).__name__,
                    done,
                    not_done,
                )
                impl.wait([quick, failing, slow])
            finally:
                _drop_gates(gates)


def deadlock_own_pool(impl: ModuleType, settings: Any, seen: Observation) -> None:
    """The seed's first deadlock: a one-worker pool whose task submits to it and waits."""
    bound = HANG_BOUND_UNITS * settings.unit
    inner_futures: List[Any] = []
    submitted = threading.Event()

    def outer() -> str:
        inner = executor.submit(pow, 2, 3)
        inner_futures.append(inner)
        submitted.set()
        return "inner gave %r" % inner.result()  # the only worker waits for itself

    executor = impl.ThreadPoolExecutor(max_workers=1, thread_name_prefix="tour-own-pool")
    try:
        outer_future = executor.submit(outer)
        submitted.wait()
        (inner,) = inner_futures
        stuck = seen.see("hangs", hangs(impl, [outer_future], bound))
        seen.say("one worker; its task submits pow(2, 3) to the same pool and waits")
        if stuck:
            seen.say("stuck after %.1f s, as in the seed notes. Where each thread waits:", bound)
        for thread, function, line in seen.see(
            "waiting", where_threads_wait("tour-own-pool", __file__)
        ):
            seen.say("  %s in %s(): %s", thread, function, line)
        seen.say("  the task:  %s", seen.see("outer repr", repr(outer_future)))
        seen.say("  its inner: %s", seen.see("inner repr", repr(inner)))
        # Break it from outside: the inner call has not started, so it can be
        # cancelled; the waiting task then gets CancelledError and ends.
        seen.see("cancel inner", inner.cancel())
        error = outer_future.exception()
        seen.say(
            "broken from outside with inner.cancel(): the task ends with %s",
            seen.see("outer ends with", type(error).__name__),
        )
    finally:
        executor.shutdown(wait=True)
    # The fix: a worker left over for the inner call (or do not wait inside the pool).
    with impl.ThreadPoolExecutor(max_workers=2) as executor:
        inner_futures.clear()
        submitted.clear()
        fixed = executor.submit(outer)
        seen.see("fixed hangs", hangs(impl, [fixed], bound))
        seen.say("the fix, max_workers=2: %s", seen.see("fixed result", fixed.result()))


def deadlock_each_other(impl: ModuleType, settings: Any, seen: Observation) -> None:
    """The seed's second deadlock: two tasks, each waiting for the other's future."""
    bound = HANG_BOUND_UNITS * settings.unit
    futures: dict[str, Any] = {}
    both_submitted = threading.Event()

    def wait_on_b() -> int:
        both_submitted.wait()
        futures["b"].result()
        return 5

    def wait_on_a() -> int:
        both_submitted.wait()
        futures["a"].result()
        return 6

    executor = impl.ThreadPoolExecutor(max_workers=2, thread_name_prefix="tour-each-other")
    try:
        futures["a"] = executor.submit(wait_on_b)
        futures["b"] = executor.submit(wait_on_a)
        both_submitted.set()
        a, b = futures["a"], futures["b"]
        stuck = seen.see("hangs", hangs(impl, [a, b], bound))
        seen.say("two workers; a waits for b's result, b for a's")
        if stuck:
            seen.say("stuck after %.1f s, as in the seed notes. Where each thread waits:", bound)
        for thread, function, line in seen.see(
            "waiting", where_threads_wait("tour-each-other", __file__)
        ):
            seen.say("  %s in %s(): %s", thread, function, line)
        seen.say("  a: %s", seen.see("a repr", repr(a)))
        seen.say("  b: %s", seen.see("b repr", repr(b)))
        # Both are running, so neither can be cancelled.  Break it by
        # completing a from outside: b's wait returns, b finishes, and a's own
        # set_result later finds a already done (the worker logs the error).
        seen.see("cancel a", a.cancel())
        a.set_result("set from outside")
        seen.see("b result", b.result())
        seen.say("broken from outside with a.set_result(...): b returns %r", b.result())
    finally:
        executor.shutdown(wait=True)
    # The fix: do not wait inside the pool; wait from outside.
    with impl.ThreadPoolExecutor(max_workers=2) as executor:
        a, b = executor.submit(pow, 2, 5), executor.submit(pow, 2, 6)
        seen.say(
            "the fix, waiting from outside: %s",
            seen.see("fixed results", [f.result() for f in (a, b)]),
        )


def write_file(directory: str, number: int) -> str:
    """The seed's task: one tiny file (written into *directory* instead of ./test_txt)."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, str(number)), "w") as txt:
        txt.write("the number is %d" % number)
    return "Return of {}".format(number)


def file_benchmark(impl: ModuleType, settings: Any, seen: Observation) -> None:
    """The seed's benchmark: many tiny files, in a plain loop and on a default pool."""
    count = settings.files
    parent = tempfile.mkdtemp(prefix="minipool-tour-", dir=settings.directory)
    try:
        started = time.perf_counter()
        for number in range(count):
            write_file(os.path.join(parent, "loop"), number)
        loop_seconds = time.perf_counter() - started

        directory = os.path.join(parent, "pool")
        progress = Progress("%s pool" % impl.__name__, count)
        # With --trace DIR, an implementation that has minipool's timeline
        # (minipool.trace) records this run, to show where the time went.
        tracing = settings.trace is not None and hasattr(impl, "trace")
        recorder = impl.trace.record() if tracing else contextlib.nullcontext()
        started = time.perf_counter()
        executor = impl.ThreadPoolExecutor()  # the seed's ThreadPoolExecutor()
        with recorder as recording:
            try:
                futures = [executor.submit(write_file, directory, n) for n in range(count)]
                results = set()
                for future in impl.as_completed(futures):
                    results.add(future.result())
                    progress.advance()
            except BaseException:
                # Ctrl-C: drop the files not yet written rather than wait for them.
                executor.shutdown(wait=True, cancel_futures=True)
                raise
            executor.shutdown(wait=True)
        pool_seconds = time.perf_counter() - started
        progress.close()
        written = sorted(os.listdir(directory), key=int)
        seen.see("files written", len(written))
        seen.see("results", results == {"Return of %d" % n for n in range(count)})
        seen.see(
            "last file",
            open(os.path.join(directory, str(count - 1))).read(),  # noqa: SIM115
        )
        seen.say("%d files in a plain loop: %.2f s", count, loop_seconds)
        seen.say(
            "%d files on ThreadPoolExecutor(): %.2f s (%.2f x the loop)",
            count,
            pool_seconds,
            pool_seconds / loop_seconds,
        )
        if getattr(sys, "_is_gil_enabled", lambda: True)():
            seen.say(
                "each file holds the GIL for most of its time; threads overlap only the short"
                " system"
            )
            seen.say("calls, hand the GIL to each other at every one, and pay for a future each:")
            seen.say("on this kind of job a pool of threads can lose to a plain loop.")
        else:
            seen.say("this build runs without the GIL: the workers run each file's Python code")
            seen.say("side by side, on %d cores; a pool still adds a future and a hand-off to",
                     os.cpu_count() or 1)  # fmt: skip
            seen.say("each file, and the thread reading as_completed() takes a core as it wakes.")
        seen.timings = {"loop": loop_seconds, "pool": pool_seconds}
        if tracing:
            _explain_with_the_timeline(recording, settings.trace, loop_seconds / count, seen)
    finally:
        shutil.rmtree(parent, ignore_errors=True)


def _explain_with_the_timeline(
    recording: Any, directory: str, loop_seconds_per_file: float, seen: Observation
) -> None:
    """Say what the pool's timeline shows, and save it as trace events and a Gantt chart."""
    tasks = recording.tasks
    mean_call = sum(t.ended - t.started for t in tasks) / len(tasks)
    mean_queued = sum(t.started - t.submitted for t in tasks) / len(tasks)
    seen.say(
        "the timeline (--trace): a file took %.0f us in a pool thread, against %.0f us in the loop",
        mean_call * 1e6,
        loop_seconds_per_file * 1e6,
    )
    workers, busy = len(recording.workers()), 100 * recording.busy_fraction()
    if getattr(sys, "_is_gil_enabled", lambda: True)():
        seen.say(
            "  %d workers were in calls %.0f%% of the time, mostly waiting for the GIL in them;",
            workers,
            busy,
        )
    else:
        seen.say("  %d workers were in calls %.0f%% of the time;", workers, busy)
    seen.say("  each file also waited %.0f us in the queue", mean_queued * 1e6)
    os.makedirs(directory, exist_ok=True)
    events = recording.write_trace_events(os.path.join(directory, "files-trace.json"))
    seen.say("  trace events (open in https://ui.perfetto.dev): %s", str(events))
    try:
        gantt = recording.write_gantt(
            os.path.join(directory, "files-gantt.png"),
            title="the seed's %d files on ThreadPoolExecutor()" % len(tasks),
            mark=("a plain loop is done here", loop_seconds_per_file * len(tasks)),
        )
    except ImportError:
        seen.say("  (install matplotlib for a Gantt chart of it)")
    else:
        seen.say("  Gantt chart: %s", str(gantt))


STEPS: List[Step] = [
    Step("sync", sync_vs_async),
    Step("future", submit_and_future),
    Step("order", as_completed_vs_map),
    Step("wait", wait_each_return_when),
    Step("deadlock-own-pool", deadlock_own_pool),
    Step("deadlock-each-other", deadlock_each_other),
    Step("files", file_benchmark),
]
