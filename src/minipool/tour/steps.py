"""The tour's steps, each written once against the concurrent.futures names.

A step gets the implementation's module, the settings (``unit``: the seconds
one simulated I/O call waits) and an :class:`~minipool.tour.engine.Observation`
to fill: ``see()`` what must be equal on every implementation, ``say()``
what to tell the reader.  Orders that depend on timing are made certain by
spacing the durations far apart (a multiple of ``unit``).
"""

from __future__ import annotations

import threading
import time
from types import ModuleType
from typing import Any, List

from minipool.tour.engine import Observation, Step


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
    started = time.perf_counter()
    with impl.ThreadPoolExecutor(max_workers=3) as executor:
        futures = [executor.submit(io_task, unit) for _ in range(3)]
        results = [future.result() for future in futures]
    overlapped = time.perf_counter() - started
    seen.see("results", results)
    # The waits overlap: three calls take about one call's time, not three.
    seen.see("overlapped", overlapped < 2 * unit <= sequential)
    seen.say("three calls that each wait %.2f s, one after another: %.2f s" % (unit, sequential))
    seen.say("the same three calls in a pool of three threads:    %.2f s" % overlapped)


def submit_and_future(impl: ModuleType, settings: Any, seen: Observation) -> None:
    with impl.ThreadPoolExecutor(max_workers=1) as executor:
        seen.say("executor.submit(pow, 2, 3).result() = %r" % executor.submit(pow, 2, 3).result())
        started, go = threading.Event(), threading.Event()

        def busy() -> None:  # keeps the only worker busy until "go"
            started.set()
            go.wait()

        first = executor.submit(busy)
        second = executor.submit(pow, 2, 3)
        started.wait()
        seen.say("while the worker is busy: " + seen.see("queued", repr(second)))
        seen.say("the busy one:             " + seen.see("running", repr(first)))
        seen.see("done while queued", second.done())
        go.set()
        seen.see("result", second.result())
        seen.say("done() = %s: %s" % (second.done(), seen.see("finished", repr(second))))


def as_completed_vs_map(impl: ModuleType, settings: Any, seen: Observation) -> None:
    durations = [round(n * settings.unit, 3) for n in (3, 1, 2)]
    with impl.ThreadPoolExecutor(max_workers=3) as executor:
        futures = [executor.submit(io_task, d) for d in durations]
        completion = [future.result() for future in impl.as_completed(futures)]
        in_order = list(executor.map(io_task, durations))
    seen.say("tasks taking %s s" % durations)
    seen.say(
        "as_completed(): %s  (first finished, first out)" % seen.see("as_completed", completion)
    )
    seen.say("map():          %s  (input order)" % seen.see("map", in_order))


def wait_each_return_when(impl: ModuleType, settings: Any, seen: Observation) -> None:
    unit = settings.unit
    with impl.ThreadPoolExecutor(max_workers=3) as executor:
        for return_when in ("FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"):
            quick = executor.submit(io_task, unit)
            failing = executor.submit(_fail_after, 2 * unit)
            slow = executor.submit(io_task, 6 * unit)
            names = {quick: "quick", failing: "failing", slow: "slow"}
            result = impl.wait([quick, failing, slow], return_when=getattr(impl, return_when))
            done = sorted(names[f] for f in result.done)
            not_done = sorted(names[f] for f in result.not_done)
            seen.see(return_when, (type(result).__name__, done, not_done))
            seen.say(
                "%-15s -> %s(done=%s, not_done=%s)"
                % (return_when, type(result).__name__, done, not_done)
            )
            impl.wait([quick, failing, slow])


def _fail_after(seconds: float) -> None:
    time.sleep(seconds)
    raise ValueError("failed after %.2f s" % seconds)


STEPS: List[Step] = [
    Step("sync", sync_vs_async),
    Step("future", submit_and_future),
    Step("order", as_completed_vs_map),
    Step("wait", wait_each_return_when),
]
