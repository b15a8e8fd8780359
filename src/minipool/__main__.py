"""``python -m minipool``: the seed notes' first experiments, run on minipool.

1. synchronous vs asynchronous calls (the wall time shows the overlap);
2. ``submit`` and the ``Future`` through its states;
3. ``as_completed`` vs ``map``: completion order against input order;
4. ``wait`` with ``FIRST_COMPLETED``.

Tasks sleep for a fraction of a second to stand for I/O; the whole run takes
about two seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Sequence

from minipool import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait


def io_task(seconds: float) -> float:
    """Stand-in for a call that waits on I/O: it sleeps, then returns its duration."""
    time.sleep(seconds)
    return seconds


def sync_vs_async(unit: float) -> None:
    print(f"1. Synchronous vs asynchronous: three calls that each wait {unit:g} s")
    started = time.perf_counter()
    for _ in range(3):
        io_task(unit)
    sequential = time.perf_counter() - started
    print(f"   one after another:          {sequential:.2f} s")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=3) as executor:
        futures = [executor.submit(io_task, unit) for _ in range(3)]
        for future in futures:
            future.result()
    overlapped = time.perf_counter() - started
    print(f"   in a pool of three threads: {overlapped:.2f} s (the waits overlap)")


def submit_and_future() -> None:
    print("2. submit() returns a Future at once; result() waits for the value")
    with ThreadPoolExecutor(max_workers=1) as executor:
        print(f"   executor.submit(pow, 2, 3).result() = {executor.submit(pow, 2, 3).result()}")
        started, go = threading.Event(), threading.Event()

        def busy() -> None:  # keeps the only worker busy until "go"
            started.set()
            go.wait()

        first = executor.submit(busy)
        second = executor.submit(pow, 2, 3)
        started.wait()
        print(f"   while the worker is busy: {second!r}")
        print(f"   the busy one:             {first!r}")
        go.set()
        second.result()
        print(f"   done() = {second.done()}:          {second!r}")


def completion_vs_input_order(unit: float) -> None:
    durations = [round(n * unit, 3) for n in (3, 1, 2)]
    print(f"3. as_completed() vs map() over tasks taking {durations} s")
    with ThreadPoolExecutor(max_workers=3) as executor:
        futures = [executor.submit(io_task, d) for d in durations]
        completion = [future.result() for future in as_completed(futures)]
        print(f"   as_completed(): {completion}  (first finished, first out)")
        print(f"   map():          {list(executor.map(io_task, durations))}  (input order)")


def wait_first_completed(unit: float) -> None:
    print("4. wait(return_when=FIRST_COMPLETED) returns as soon as one is done")
    with ThreadPoolExecutor(max_workers=2) as executor:
        quick = executor.submit(io_task, unit)
        slow = executor.submit(io_task, round(4 * unit, 3))
        done, not_done = wait([quick, slow], return_when=FIRST_COMPLETED)
        print(f"   done:     {sorted(f.result() for f in done)}")
        print(f"   not_done: {len(not_done)} future(s), still running: {slow.running()}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; the console script ``minipool`` calls this."""
    parser = argparse.ArgumentParser(
        prog="python -m minipool",
        description="The seed notes' first thread-pool experiments, run on minipool.",
    )
    parser.add_argument(
        "--unit",
        type=float,
        default=0.2,
        help="seconds one simulated I/O call waits (default 0.2)",
    )
    args = parser.parse_args(argv)
    if args.unit <= 0:
        parser.error("--unit must be greater than 0")
    try:
        sync_vs_async(args.unit)
        submit_and_future()
        completion_vs_input_order(args.unit)
        wait_first_completed(args.unit)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (as in "python -m minipool | head"): stop
        # quietly.  Point stdout at devnull so the flush at exit cannot fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
