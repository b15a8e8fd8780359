"""Many threads at once: ``python -m benchmarks.cores [--quick] [--json PATH]``.

The other benchmarks submit from one thread and run no-op calls, where the
GIL makes one core do all the work.  These jobs are the ones where a build
without the GIL (3.14t, 3.15t) differs:

1. ``cpu``: pure-Python calls of about 1 ms each (they compute, never wait)
   on pools of 1, 2 and 4 workers, against the same calls in a plain loop.
   The speed-up over the loop cannot pass the number of cores; with the GIL
   it cannot pass 1.
2. ``submitters``: 1, 2, 4 and 8 threads submit into one pool at once, no-op
   calls and calls that compute for 20 us.  Throughput (calls per second,
   from the first ``submit()`` to the last call's end) and per-call latency
   (from the start of its ``submit()`` to the end of the call in a worker:
   the call returns the clock's reading) at the median and the 99th
   percentile.  A server's request threads submit like this.
3. ``extras``: what each opt-in extra costs on the as_completed job,
   as its time over a plain minipool pool's.

The seed's file job, the other half of this page's question, is
``python -m benchmarks --only files`` (run it on the same interpreter).

Same method as ``python -m benchmarks``: one process, every contender once
per round in a rotated order, medians over the rounds, ratios within a run.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import os
import sys
import threading
import time
from types import ModuleType
from typing import Any, Callable, Dict, List, Sequence

if __package__ in (None, ""):  # run as a script: python benchmarks/cores.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minipool
from benchmarks import contenders
from benchmarks.timing import interleave, interpreter, median, timed, write_report

POOLS: Dict[str, ModuleType] = {"stdlib": concurrent.futures, "minipool": minipool}
JOBS = ("cpu", "submitters", "extras")


# -- 1. CPU-bound calls ------------------------------------------------------


def compute(rounds: int) -> int:
    """Pure-Python work with no shared object written: a sum of squares."""
    total = 0
    for number in range(rounds):
        total += number * number
    return total


def rounds_for(seconds: float) -> int:
    """How many rounds of :func:`compute` take about *seconds* here (the best of 5 tries)."""
    rounds = 1000
    while True:
        best = min(timed(functools.partial(compute, rounds)) for _ in range(5))
        if best >= 0.01:
            return max(1, int(rounds * seconds / best))
        rounds *= 4


def run_cpu(calls: int, repeats: int, report: Dict[str, Any]) -> None:
    rounds = rounds_for(0.001)
    inputs = [rounds] * calls
    worker_counts = (1, 2, 4)
    runs: Dict[str, Callable[[], float]] = {
        "loop": lambda: timed(lambda: [compute(r) for r in inputs]),
    }
    calls_args = [(r,) for r in inputs]

    def on_pool(module: ModuleType, workers: int) -> Callable[[], float]:
        job = functools.partial(contenders.pool_as_completed, module, compute, calls_args, workers)
        return functools.partial(timed, job)

    for name, module in POOLS.items():
        for workers in worker_counts:
            runs["%s %d" % (name, workers)] = on_pool(module, workers)
    times = interleave(runs, repeats)
    medians = {name: median(values) for name, values in times.items()}
    loop = medians["loop"]
    speedups = {
        name: {str(w): loop / medians["%s %d" % (name, w)] for w in worker_counts} for name in POOLS
    }
    report["cpu"] = {
        "calls": calls,
        "rounds_per_call": rounds,
        "call_seconds": loop / calls,
        "times": times,
        "median": medians,
        "speedup": speedups,
    }
    print("\ncpu: %d calls of %.2f ms of pure Python, speed-up over a plain loop" % (
        calls, loop / calls * 1e3))  # fmt: skip
    print("  %-10s" % "workers" + "".join("%10d" % w for w in worker_counts))
    for name in POOLS:
        print("  %-10s" % name + "".join("%9.2fx" % speedups[name][str(w)] for w in worker_counts))
    print("  %-10s" % "limit" + "".join("%9.2fx" % _limit(w, report) for w in worker_counts))


def _limit(workers: int, report: Dict[str, Any]) -> float:
    """The most a pool of *workers* can gain over one thread: the cores, or 1 with the GIL."""
    if report["gil_enabled"]:
        return 1.0
    return float(min(workers, report["usable_cpus"] or report["cpus"] or 1))


# -- 2. many submitting threads ------------------------------------------------


def no_op() -> float:
    """A call that does nothing but read the clock, so that its end is known."""
    return time.perf_counter()


def twenty_us() -> float:
    """A call that computes for 20 us (a busy wait), then reads the clock."""
    clock = time.perf_counter
    end = clock() + 20e-6
    while clock() < end:
        pass
    return clock()


CALLS: Dict[str, Callable[[], float]] = {"no-op": no_op, "20 us": twenty_us}


def one_submitting_run(
    module: ModuleType, submitters: int, calls: int, fn: Callable[[], float], waits: bool
) -> Dict[str, float]:
    """*submitters* threads submit *calls* calls in all into one default pool, at once.

    *waits*: each thread waits for each call's result before it submits the
    next (a request thread handing work to a pool), else it submits its whole
    share at once (a flood).  Returns the run's throughput and latencies.
    """
    share = calls // submitters
    starts: List[List[float]] = [[] for _ in range(submitters)]
    futures: List[List[Any]] = [[] for _ in range(submitters)]
    ready = threading.Barrier(submitters + 1)
    with module.ThreadPoolExecutor() as pool:
        pool.submit(no_op).result()  # one worker up, as in a server that has run before

        def submit_share(index: int) -> None:
            clock, submit = time.perf_counter, pool.submit
            mine, started = futures[index], starts[index]
            ready.wait()
            for _ in range(share):
                started.append(clock())
                future = submit(fn)
                mine.append(future)
                if waits:
                    future.result()

        threads = [threading.Thread(target=submit_share, args=(i,)) for i in range(submitters)]
        for thread in threads:
            thread.start()
        ready.wait()
        for thread in threads:
            thread.join()
        ends = [[future.result() for future in mine] for mine in futures]
    latencies = sorted(
        end - start for mine, begun in zip(ends, starts) for end, start in zip(mine, begun)
    )
    first = min(begun[0] for begun in starts)
    last = max(max(mine) for mine in ends)
    return {
        "throughput": len(latencies) / (last - first),
        "p50": _percentile(latencies, 0.50),
        "p99": _percentile(latencies, 0.99),
    }


def _percentile(ordered: List[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


MODES = {"flood": False, "each waits": True}  # mode -> whether a submitter waits for each call


def run_submitters(calls: Dict[str, int], repeats: int, report: Dict[str, Any]) -> None:
    rows = []
    print("\nsubmitters: threads submitting at once into one default pool")
    print("  %-10s %-6s %-11s %-9s %14s %12s %12s" % (
        "mode", "call", "submitters", "pool", "calls/s", "p50 us", "p99 us"))  # fmt: skip
    for mode, waits in MODES.items():
        for kind, fn in CALLS.items():
            count = calls[kind] // (10 if waits else 1)  # a round trip each: fewer calls
            for submitters in (1, 2, 4, 8):
                runs: Dict[str, List[Dict[str, float]]] = {name: [] for name in POOLS}
                # Interleaved: each round runs each pool once, the first one in turn.
                for round_number in range(repeats):
                    order = list(POOLS)[::-1] if round_number % 2 else list(POOLS)
                    for name in order:
                        measured = one_submitting_run(POOLS[name], submitters, count, fn, waits)
                        runs[name].append(measured)
                for name, measured_runs in runs.items():
                    row: Dict[str, Any] = {
                        "mode": mode,
                        "call": kind,
                        "submitters": submitters,
                        "pool": name,
                        "calls": count,
                        "rounds": measured_runs,
                    }
                    for key in ("throughput", "p50", "p99"):
                        row[key] = median([m[key] for m in measured_runs])
                    rows.append(row)
                    print("  %-10s %-6s %-11d %-9s %14.0f %12.1f %12.1f" % (
                        mode, kind, submitters, name, row["throughput"], row["p50"] * 1e6,
                        row["p99"] * 1e6))  # fmt: skip
    report["submitters"] = rows


# -- 3. the opt-in extras -------------------------------------------------------


def run_extras(calls: int, repeats: int, report: Dict[str, Any]) -> None:
    work: List[Any] = [()] * calls
    noop = contenders.noop

    def on_minipool(**options: Any) -> Callable[[], float]:
        return lambda: timed(
            lambda: contenders.pool_as_completed(minipool, noop, work, None, **options)
        )

    def traced() -> None:
        with minipool.trace.record():
            contenders.pool_as_completed(minipool, noop, work, None)

    runs: Dict[str, Callable[[], float]] = {
        "stdlib": lambda: timed(
            lambda: contenders.pool_as_completed(concurrent.futures, noop, work, None)
        ),
        "minipool": on_minipool(),
        "stats=True": on_minipool(stats=True),
        "max_pending=1000": on_minipool(max_pending=1000),
        "copy_context=True": on_minipool(copy_context=True),
        "debug=True": on_minipool(debug=True),
        "trace.record()": lambda: timed(traced),
    }
    times = interleave(runs, repeats)
    medians = {name: median(values) for name, values in times.items()}
    report["extras"] = {
        "calls": calls,
        "times": times,
        "median": medians,
        "cost": {name: medians[name] / medians["minipool"] for name in medians},
    }
    print("\nextras: %d no-op calls, submit + as_completed, time / plain minipool's" % calls)
    for name, seconds in medians.items():
        print("  %-20s %8.3f s %8.2fx" % (name, seconds, seconds / medians["minipool"]))


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.cores",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--only", nargs="+", choices=JOBS, metavar="JOB",
                        help="run only these jobs: " + ", ".join(JOBS))  # fmt: skip
    parser.add_argument("--repeats", type=int, help="rounds per measure (default 7)")
    parser.add_argument("--json", metavar="PATH", help="also write every measurement here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    quick = arguments.quick
    repeats = arguments.repeats or (2 if quick else 7)
    selected = arguments.only or JOBS
    report = interpreter()
    report["repeats"] = repeats
    print("Python %s (%s, GIL %s), %s CPUs, medians of %d rounds" % (
        report["python"], "free-threaded" if report["free_threaded"] else "GIL build",
        "on" if report["gil_enabled"] else "off", report["cpus"], repeats))  # fmt: skip
    if "cpu" in selected:
        run_cpu(40 if quick else 400, repeats, report)
    if "submitters" in selected:
        sizes = {"no-op": 2_000, "20 us": 1_000} if quick else {"no-op": 40_000, "20 us": 10_000}
        run_submitters(sizes, repeats, report)
    if "extras" in selected:
        run_extras(2_000 if quick else 50_000, repeats, report)
    report["targets"] = check_targets(report)
    write_report(report, arguments.json)
    return 0


def check_targets(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The issue's targets this run measured: ratio, limit, met or not (printed too)."""
    targets: List[Dict[str, Any]] = []

    def target(description: str, measured: float, limit: float, at_least: bool) -> None:
        met = measured >= limit if at_least else measured <= limit
        targets.append({"target": description, "measured": measured, "limit": limit,
                        "at_least": at_least, "met": met})  # fmt: skip

    if "cpu" in report and not report["gil_enabled"]:
        speedups = report["cpu"]["speedup"]
        target("cpu, 2 workers: minipool's speed-up over the loop", speedups["minipool"]["2"],
               1.85, at_least=True)  # fmt: skip
        for workers in ("1", "2", "4"):
            target("cpu, %s worker(s): minipool's speed-up / stdlib's" % workers,
                   speedups["minipool"][workers] / speedups["stdlib"][workers], 1.0,
                   at_least=True)  # fmt: skip
    if "submitters" in report:
        rows = {(r["mode"], r["call"], r["submitters"], r["pool"]): r
                for r in report["submitters"]}  # fmt: skip
        # Throughput where the pool is the bottleneck: in a flood.  Where each
        # submitter waits for its call, two thread wake-ups per call bound
        # any pool alike.  Latency only there: in a flood it is the backlog,
        # which grows the faster the submitters queue.
        ours, theirs = rows["flood", "no-op", 8, "minipool"], rows["flood", "no-op", 8, "stdlib"]
        target("8 submitters, no-op, flood: throughput minipool / stdlib",
               ours["throughput"] / theirs["throughput"], 3.0, at_least=True)  # fmt: skip
        ours = rows["each waits", "no-op", 8, "minipool"]
        theirs = rows["each waits", "no-op", 8, "stdlib"]
        target("8 submitters, no-op, each waits: p99 latency minipool / stdlib",
               ours["p99"] / theirs["p99"], 1.0, at_least=False)  # fmt: skip
    if targets:
        print("\ntargets")
        for item in targets:
            print("  %-56s %8.3f  (%s %.2f)  %s" % (
                item["target"], item["measured"], ">=" if item["at_least"] else "<=",
                item["limit"], "met" if item["met"] else "MISSED"))  # fmt: skip
    return targets


if __name__ == "__main__":
    sys.exit(main())
