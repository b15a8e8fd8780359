"""What debug mode costs, and what its heap walks cost: ratios in one run, medians.

    python -m benchmarks.debug_cost [--rounds 7]

Three jobs, each on a plain pool and on a pool in debug mode, interleaved:

- ``as_completed``: 20,000 no-op calls, collected with as_completed (the
  notes the debug pool's hooks take, per call);
- ``result() each``: 2,000 calls, the submitting thread blocking in
  ``result()`` on each (every wait is registered and looked at; the worker
  runs the call, so the wait-for graph clears it without the heap);
- ``bare futures``: 300 waits on a bare future that another thread
  completes (the wait-for graph cannot clear such a wait: each look that
  sees it walks the heap, within the walks' budget of a tenth of a core).

The standard library's pool runs beside them, for the ratios of the docs.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import sys
import threading
from typing import Any, Callable

import minipool
from benchmarks.timing import interleave, median, timed


def as_completed_job(make: Callable[[], Any], count: int = 20_000) -> None:
    with make() as pool:
        for future in minipool.as_completed([pool.submit(int) for _ in range(count)]):
            future.result()


def result_each_job(make: Callable[[], Any], count: int = 2_000) -> None:
    with make() as pool:
        for _ in range(count):
            pool.submit(int).result()


def bare_futures_job(make: Callable[[], Any], count: int = 300) -> None:
    """The main thread waits in result(), in a call of the pool, for a future a helper completes."""
    handoff: Any = __import__("queue").SimpleQueue()

    def helper() -> None:
        while True:
            future = handoff.get()
            if future is None:
                return
            future.set_result(1)

    thread = threading.Thread(target=helper)
    thread.start()
    with make() as pool:
        for _ in range(count):
            future: minipool.Future[int] = minipool.Future()
            waiting = pool.submit(future.result)
            handoff.put(future)
            del future
            waiting.result()
    handoff.put(None)
    thread.join()


def _run(job: Callable[[Callable[[], Any]], None], make: Callable[[], Any]) -> Callable[[], float]:
    return lambda: timed(lambda: job(make))


JOBS = {"as_completed": as_completed_job, "result() each": result_each_job,
        "bare futures": bare_futures_job}  # fmt: skip
POOLS: dict[str, Callable[[], Any]] = {
    "stdlib": lambda: cf.ThreadPoolExecutor(max_workers=2),
    "minipool": lambda: minipool.ThreadPoolExecutor(max_workers=2),
    "minipool debug": lambda: minipool.ThreadPoolExecutor(max_workers=2, debug=True),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    detector = minipool.debug._detector
    print("Python %s, %d rounds, medians; ratios to the plain minipool pool" % (
        sys.version.split()[0], args.rounds))  # fmt: skip
    print("| job | stdlib | minipool | minipool debug | debug / plain |")
    print("|---|---|---|---|---|")
    for name, job in JOBS.items():
        walks_before, seconds_before = detector.walks, detector.walk_seconds
        runs = {pool: _run(job, make) for pool, make in POOLS.items()}
        times = {pool: median(values) for pool, values in interleave(runs, args.rounds).items()}
        walks = detector.walks - walks_before
        print(
            "| %s | %.3f s | %.3f s | %.3f s | %.2f (%d heap walks, %.3f s) |"
            % (name, times["stdlib"], times["minipool"], times["minipool debug"],
               times["minipool debug"] / times["minipool"], walks,
               detector.walk_seconds - seconds_before)
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
