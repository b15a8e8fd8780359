"""What each named fast path of the core saves: ``python -m benchmarks.fast_paths``.

Every ``# Fast path:`` comment in ``src/minipool/`` quotes its gain from
this script.  Each fast path is timed against the plain code it replaces,
in one process, interleaved (A, B, A, B, ...), and the median of the rounds
is reported as nanoseconds per operation and as the ratio plain / fast.
The plain variants are written here, beside the fast ones, so that both do
the same work but for the trick being measured.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import threading
import time
from typing import Callable, Dict, List, Tuple

import minipool
from minipool.future import Future

Job = Callable[[int], None]


def _with_lock(n: int) -> None:
    lock = threading.Lock()
    for _ in range(n):
        with lock:
            pass


def _acquire_release(n: int) -> None:
    lock = threading.Lock()
    for _ in range(n):
        lock.acquire()
        try:
            pass
        finally:
            lock.release()


def _future_lazy(n: int) -> None:
    for _ in range(n):
        Future()


def _future_eager(n: int) -> None:
    # What a future would cost if it built its condition and its two lists
    # up front, as the standard library's does.
    for _ in range(n):
        future: Future[None] = Future()
        future._done_condition = threading.Condition(future._state_lock)
        future._done_callbacks = []
        future._waiters = []


def _remove_final_fast(n: int) -> None:
    future: Future[int] = Future()
    future.set_result(1)  # final: _waiters is None
    waiter = object()
    for _ in range(n):
        future._remove_waiter(waiter)  # type: ignore[arg-type]


def _remove_final_locked(n: int) -> None:
    future: Future[int] = Future()
    future.set_result(1)
    for _ in range(n):
        with future._state_lock:  # the check under the lock, every time
            if future._waiters is not None:
                pass


def _event_set_checked(n: int) -> None:
    event = threading.Event()
    event.set()
    for _ in range(n):
        if not event.is_set():
            event.set()


def _event_set_always(n: int) -> None:
    event = threading.Event()
    event.set()
    for _ in range(n):
        event.set()


def _foreign_try(n: int) -> None:
    future: Future[int] = Future()
    for _ in range(n):
        try:
            future._add_waiter  # noqa: B018  (the lookup is what is timed)
        except AttributeError:
            pass


def _foreign_isinstance(n: int) -> None:
    future: Future[int] = Future()
    for _ in range(n):
        if isinstance(future, minipool.Future):
            future._add_waiter  # noqa: B018


# name -> (fast, plain, where the fast path lives)
FAST_PATHS: Dict[str, Tuple[Job, Job, str]] = {
    "acquire()/release() instead of with": (_acquire_release, _with_lock, "future.py"),
    "a future's condition and lists built on first use": (
        _future_lazy,
        _future_eager,
        "future.py __init__",
    ),
    "no lock to remove a waiter from a final future": (
        _remove_final_fast,
        _remove_final_locked,
        "future.py _remove_waiter",
    ),
    "Event.set() only when not set": (_event_set_checked, _event_set_always, "waiting.py _add"),
    "try on _add_waiter, not isinstance": (_foreign_try, _foreign_isinstance, "waiting.py"),
}


def measure(job: Job, n: int) -> float:
    gc.collect()
    start = time.perf_counter()
    job(n)
    return (time.perf_counter() - start) / n * 1e9


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--n", type=int, default=200_000, help="operations per timing")
    args = parser.parse_args(argv)
    print("%-52s %10s %10s %8s" % ("fast path", "fast ns", "plain ns", "plain/fast"))
    for name, (fast, plain, _where) in FAST_PATHS.items():
        fast_times, plain_times = [], []
        for _ in range(args.rounds):
            fast_times.append(measure(fast, args.n))
            plain_times.append(measure(plain, args.n))
        f, p = statistics.median(fast_times), statistics.median(plain_times)
        print("%-52s %10.1f %10.1f %8.2f" % (name, f, p, p / f))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
