"""The benchmark runner: ``python -m benchmarks`` (or ``python benchmarks/run.py``).

It times the standard library's thread pool and minipool's, and a plain loop
and a bare-queue floor for scale, on:

1. ``as_completed``: submit N no-op calls, then read them through as_completed;
2. ``map``: the same N calls through ``map``;
3. ``wait_all`` / ``wait_first``: N' calls and one ``wait(ALL_COMPLETED)``, or
   ``wait(FIRST_COMPLETED)`` in a loop until all are done;
4. ``files``: the seed notes' job, writing many tiny files (loop, pools, two
   raw threads);
5. memory per pending task, per done future, and the peak of ``map``;
6. scaling: the cost per task from 10**3 to 10**6 tasks on 1, 2, 4, 8 workers;
7. diagnostics: what minipool's opt-in extras cost: the as_completed job on a
   pool in debug mode and under ``minipool.trace.record()``, and a job whose
   every ``result()`` blocks (debug mode watches each blocking wait).

Each timing is the median of ``--repeats`` rounds in which every contender
runs once, in rotated order.  The output is a table of ratios; ``--json``
also writes every measurement.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import inspect
import os
import sys
from types import ModuleType
from typing import Any, Callable, Dict, List, Sequence

if __package__ in (None, ""):  # run as a script: python benchmarks/run.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import minipool
from benchmarks import contenders, files, memory
from benchmarks.timing import interleave, interpreter, median, run_name, timed, write_report

POOLS: Dict[str, ModuleType] = {"stdlib": concurrent.futures, "minipool": minipool}
BENCHMARKS = (
    "as_completed",
    "map",
    "wait_all",
    "wait_first",
    "files",
    "memory",
    "scaling",
    "diagnostics",
    "extensions",
)


class Sizes:
    """How big each benchmark is: the issue's sizes by default, tiny ones with --quick."""

    def __init__(self, quick: bool) -> None:
        self.tasks = 1_000 if quick else 100_000
        self.wait_tasks = 500 if quick else 10_000
        self.files = 200 if quick else 100_000
        self.memory_tasks = 1_000 if quick else 10_000
        self.map_memory_inputs = 2_000 if quick else 1_000_000
        self.scaling_tasks = [10**3, 10**4] if quick else [10**3, 10**4, 10**5, 10**6]
        self.scaling_workers = [1, 2] if quick else [1, 2, 4, 8]
        self.repeats = 3 if quick else 7
        self.scaling_repeats = 1 if quick else 3


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time minipool against concurrent.futures, a plain loop and a floor.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=BENCHMARKS,
        metavar="NAME",
        help="run only these benchmarks: " + ", ".join(BENCHMARKS),
    )
    parser.add_argument("--repeats", type=_positive, help="rounds per timing (default 7)")
    parser.add_argument("--tasks", type=_positive, help="calls in as_completed/map (100000)")
    parser.add_argument("--files", type=_positive, help="files the file job writes (100000)")
    parser.add_argument(
        "--directory", help="where the file job makes its temporary directory (default: TMPDIR)"
    )
    parser.add_argument(
        "--map-memory-inputs", type=_positive, help="inputs of the map peak-memory run (10**6)"
    )
    parser.add_argument(
        "--scaling-max", type=_positive, help="largest task count of the scaling grid (10**6)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write every measurement here")
    return parser.parse_args(argv)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a whole number: %r" % text) from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0: %r" % text)
    return value


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    sizes = Sizes(arguments.quick)
    if arguments.repeats:
        sizes.repeats = arguments.repeats
        sizes.scaling_repeats = min(sizes.scaling_repeats, arguments.repeats)
    if arguments.tasks:
        sizes.tasks = arguments.tasks
    if arguments.files:
        sizes.files = arguments.files
    if arguments.map_memory_inputs:
        sizes.map_memory_inputs = arguments.map_memory_inputs
    if arguments.scaling_max:
        sizes.scaling_tasks = [n for n in sizes.scaling_tasks if n <= arguments.scaling_max] or [
            arguments.scaling_max
        ]
    selected = arguments.only or BENCHMARKS

    workers = contenders.default_workers(minipool)
    report: Dict[str, Any] = {
        **interpreter(),
        "default_workers": workers,
        "repeats": sizes.repeats,
        "timings": [],
    }
    print(
        "%s (%s), %s CPUs, pools of %d workers, medians of %d rounds"
        % (run_name(report), report["implementation"], report["cpus"], workers, sizes.repeats)
    )
    for name in BENCHMARKS:
        if name in selected:
            RUNNERS[name](sizes, workers, report, arguments)
    report["targets"] = check_targets(report)
    write_report(report, arguments.json)
    return 0


# -- the timings ------------------------------------------------------------


def _record(
    report: Dict[str, Any],
    name: str,
    size: int,
    times: Dict[str, List[float]],
    columns: Sequence[str] = ("stdlib", "loop", "floor", "raw_threads"),
    **details: Any,
) -> None:
    """Add one timing to the report and print its table: each contender against each other."""
    medians = {contender: median(values) for contender, values in times.items()}
    entry = {"name": name, "size": size, "times": times, "median": medians, **details}
    report["timings"].append(entry)
    settings = ", ".join("%s=%s" % item for item in [("n", size), *details.items()])
    print("\n%s (%s)" % (name, settings))
    columns = [c for c in columns if c in medians]
    print(
        "  %-16s %10s %12s" % ("contender", "median s", "us per call")
        + "".join("%14s" % ("/ " + column) for column in columns)
    )
    for contender, seconds in medians.items():
        print(
            "  %-16s %10.4f %12.3f" % (contender, seconds, seconds / size * 1e6)
            + "".join("%13.3fx" % (seconds / medians[column]) for column in columns)
        )


def check_targets(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Print and return each of the issue's targets this run measured: ratio, limit, met or not."""
    medians = {entry["name"]: entry["median"] for entry in report["timings"]}
    targets: List[Dict[str, Any]] = []

    def target(description: str, measured: float, limit: float) -> None:
        targets.append(
            {"target": description, "measured": measured, "limit": limit, "met": measured <= limit}
        )

    for name, limit in (("as_completed", 0.20), ("map", 0.33)):
        if name in medians:
            times = medians[name]
            target("%s: minipool / stdlib" % name, times["minipool"] / times["stdlib"], limit)
            target("%s: minipool / floor" % name, times["minipool"] / times["floor"], 4.0)
    if "memory" in report:
        memory = report["memory"]["bytes"]
        target(
            "memory per pending task: minipool / stdlib",
            memory["minipool"]["per_pending_task"] / memory["stdlib"]["per_pending_task"],
            1 / 3,
        )
    if "files" in medians:
        times = medians["files"]
        target(
            "files: minipool pool / two raw threads", times["minipool"] / times["raw_threads"], 1.05
        )
    if targets:
        print("\ntargets")
        for item in targets:
            print(
                "  %-46s %8.3f  (limit %.3f)  %s"
                % (
                    item["target"],
                    item["measured"],
                    item["limit"],
                    "met" if item["met"] else "MISSED",
                )
            )
    return targets


def _on_each_pool(job: Callable[[ModuleType], object]) -> Dict[str, Callable[[], float]]:
    """A timed run of ``job(module)`` for each pool module."""

    def run_on(module: ModuleType) -> Callable[[], float]:
        return lambda: timed(lambda: job(module))

    return {name: run_on(module) for name, module in POOLS.items()}


def run_as_completed(sizes: Sizes, workers: int, report: Dict[str, Any], _: Any) -> None:
    calls: List[Any] = [()] * sizes.tasks
    noop = contenders.noop
    runs = _on_each_pool(lambda module: contenders.pool_as_completed(module, noop, calls, None))
    runs["loop"] = lambda: timed(lambda: contenders.plain_loop(noop, calls))
    runs["floor"] = lambda: timed(lambda: contenders.floor(noop, calls, workers))
    _record(report, "as_completed", sizes.tasks, interleave(runs, sizes.repeats), workers=workers)


def run_map(sizes: Sizes, workers: int, report: Dict[str, Any], _: Any) -> None:
    inputs = range(sizes.tasks)
    identity = contenders.identity
    runs = _on_each_pool(lambda module: contenders.pool_map(module, identity, inputs, None))
    runs["loop"] = lambda: timed(lambda: list(map(identity, inputs)))
    calls = [(x,) for x in inputs]
    runs["floor"] = lambda: timed(lambda: contenders.floor(identity, calls, workers))
    _record(report, "map", sizes.tasks, interleave(runs, sizes.repeats), workers=workers)


def run_diagnostics(sizes: Sizes, workers: int, report: Dict[str, Any], _: Any) -> None:
    calls: List[Any] = [()] * sizes.tasks
    noop = contenders.noop

    def traced() -> None:
        with minipool.trace.record():
            contenders.pool_as_completed(minipool, noop, calls, None)

    runs = _on_each_pool(lambda module: contenders.pool_as_completed(module, noop, calls, None))
    runs["minipool_debug"] = lambda: timed(
        lambda: contenders.pool_as_completed(minipool, noop, calls, None, debug=True)
    )
    runs["minipool_traced"] = lambda: timed(traced)
    _record(
        report,
        "diagnostics: as_completed",
        sizes.tasks,
        interleave(runs, sizes.repeats),
        columns=("stdlib", "minipool"),
        workers=workers,
    )

    count = sizes.wait_tasks
    blocking = _on_each_pool(lambda module: contenders.pool_result_each(module, noop, count, None))
    blocking["minipool_debug"] = lambda: timed(
        lambda: contenders.pool_result_each(minipool, noop, count, None, debug=True)
    )
    _record(
        report,
        "diagnostics: a blocking result() per call",
        count,
        interleave(blocking, sizes.repeats),
        columns=("stdlib", "minipool"),
        workers=workers,
    )


def run_wait_all(sizes: Sizes, workers: int, report: Dict[str, Any], _: Any) -> None:
    count, noop = sizes.wait_tasks, contenders.noop
    runs = _on_each_pool(lambda module: contenders.pool_wait_all(module, noop, count, None))
    runs["floor"] = lambda: timed(lambda: contenders.floor(noop, [()] * count, workers))
    _record(report, "wait_all", count, interleave(runs, sizes.repeats), workers=workers)


def run_wait_first(sizes: Sizes, workers: int, report: Dict[str, Any], _: Any) -> None:
    count, noop = sizes.wait_tasks, contenders.noop
    runs = _on_each_pool(lambda module: contenders.pool_wait_first(module, noop, count, None))
    runs["floor"] = lambda: timed(lambda: contenders.floor(noop, [()] * count, workers))
    _record(report, "wait_first", count, interleave(runs, sizes.repeats), workers=workers)


def run_files(sizes: Sizes, workers: int, report: Dict[str, Any], arguments: Any) -> None:
    count, parent = sizes.files, arguments.directory
    runs: Dict[str, Callable[[], float]] = {
        name: _file_run(files.pool(module, count), parent) for name, module in POOLS.items()
    }
    runs["loop"] = _file_run(files.loop(count), parent)
    runs["raw_threads"] = _file_run(files.raw_threads(count, 2), parent)
    # Two more, to see where a pool's time goes: as many raw threads as the
    # pool has workers, and minipool's pool with nobody reading the results.
    runs["raw_threads_%d" % workers] = _file_run(files.raw_threads(count, workers), parent)
    runs["minipool_unread"] = _file_run(files.pool_without_consumer(minipool, count), parent)
    _record(report, "files", count, interleave(runs, sizes.repeats), workers=workers)


def _file_run(job: Callable[[str], None], parent: str | None) -> Callable[[], float]:
    return lambda: files.in_fresh_directory(job, parent)


def run_memory(sizes: Sizes, workers: int, report: Dict[str, Any], _: Any) -> None:
    results: Dict[str, Dict[str, float]] = {}
    for name, module in POOLS.items():
        results[name] = {
            "per_pending_task": memory.per_pending_task(module, sizes.memory_tasks),
            "per_done_future": memory.per_done_future(module, sizes.memory_tasks),
            "map_peak": memory.peak_of_map(module, sizes.map_memory_inputs),
        }
    report["memory"] = {
        "tasks": sizes.memory_tasks,
        "map_inputs": sizes.map_memory_inputs,
        "bytes": results,
    }
    print(
        "\nmemory (tracemalloc; %d tasks, map over %d inputs)"
        % (sizes.memory_tasks, sizes.map_memory_inputs)
    )
    print("  %-22s %12s %12s %12s" % ("", "stdlib", "minipool", "ratio"))
    for key, label in (
        ("per_pending_task", "B per pending task"),
        ("per_done_future", "B per done future"),
        ("map_peak", "peak of map, MB"),
    ):
        scale = 1e6 if key == "map_peak" else 1
        stdlib, ours = results["stdlib"][key] / scale, results["minipool"][key] / scale
        print("  %-22s %12.1f %12.1f %11.3fx" % (label, stdlib, ours, ours / stdlib))


def run_scaling(sizes: Sizes, workers: int, report: Dict[str, Any], _: Any) -> None:
    grid = []
    print("\nscaling: us per task, submit + as_completed of no-op calls")
    print(
        "  %-9s %-8s %10s %10s %10s %10s"
        % ("tasks", "workers", "stdlib", "minipool", "floor", "ratio")
    )
    noop = contenders.noop
    for count in sizes.scaling_tasks:
        calls: List[Any] = [()] * count
        for pool_workers in sizes.scaling_workers:

            def job(
                module: ModuleType, calls: list[Any] = calls, workers: int = pool_workers
            ) -> None:
                contenders.pool_as_completed(module, noop, calls, workers)

            def floor(calls: list[Any] = calls, workers: int = pool_workers) -> float:
                return timed(lambda: contenders.floor(noop, calls, workers))

            runs = _on_each_pool(job)
            runs["floor"] = floor
            # One round at a million tasks (the standard library takes about
            # 20 s per round there), the median of several below.
            times = interleave(runs, 1 if count >= 10**6 else sizes.scaling_repeats)
            per_task = {name: median(values) / count * 1e6 for name, values in times.items()}
            grid.append(
                {"tasks": count, "workers": pool_workers, "times": times, "us_per_task": per_task}
            )
            print(
                "  %-9d %-8d %10.2f %10.2f %10.2f %9.3fx"
                % (
                    count,
                    pool_workers,
                    per_task["stdlib"],
                    per_task["minipool"],
                    per_task["floor"],
                    per_task["minipool"] / per_task["stdlib"],
                )
            )
    report["scaling"] = grid


def run_extensions(sizes: Sizes, workers: int, report: Dict[str, Any], _: Any) -> None:
    """Memory of two opt-in extensions: map(buffersize=N), and a bounded queue."""
    stdlib_buffers = "buffersize" in inspect.signature(concurrent.futures.Executor.map).parameters
    counts = sorted({min(10**4, sizes.map_memory_inputs), sizes.map_memory_inputs // 10,
                     sizes.map_memory_inputs})  # fmt: skip
    rows: Dict[str, Dict[int, int]] = {}
    for inputs in counts:
        contenders_ = [
            ("stdlib map", concurrent.futures, None),
            ("minipool map", minipool, None),
            ("minipool map, buffersize=16", minipool, 16),
            ("minipool map, buffersize=256", minipool, 256),
        ]
        if stdlib_buffers:
            contenders_.append(("stdlib map, buffersize=16", concurrent.futures, 16))
        for label, module, buffersize in contenders_:
            peak = memory.peak_of_map(module, inputs, buffersize)
            rows.setdefault(label, {})[inputs] = peak
    producer_calls = sizes.map_memory_inputs // 50
    producer = {
        "stdlib": memory.peak_of_producer(concurrent.futures, producer_calls),
        "minipool": memory.peak_of_producer(minipool, producer_calls),
        "minipool, max_pending=64": memory.peak_of_producer(
            minipool, producer_calls, max_pending=64
        ),
    }
    report["extensions"] = {
        "map_peak_bytes": {
            label: {str(n): b for n, b in peaks.items()} for label, peaks in rows.items()
        },
        "producer_calls": producer_calls,
        "producer_peak_bytes": producer,
    }
    print("\nextensions: peak memory of map (tracemalloc, MB) by number of inputs")
    print("  %-30s" % "" + "".join("%12s" % f"{n:,}" for n in counts))
    for label, peaks in rows.items():
        print("  %-30s" % label + "".join("%12.2f" % (peaks[n] / 1e6) for n in counts))
    print(
        "\nextensions: peak memory of one thread submitting %d calls of sleep(0.0005) (MB)"
        % producer_calls
    )
    for label, peak in producer.items():
        print("  %-30s %12.2f" % (label, peak / 1e6))


RUNNERS: Dict[str, Callable[[Sizes, int, Dict[str, Any], Any], None]] = {
    "as_completed": run_as_completed,
    "map": run_map,
    "wait_all": run_wait_all,
    "wait_first": run_wait_first,
    "files": run_files,
    "memory": run_memory,
    "scaling": run_scaling,
    "diagnostics": run_diagnostics,
    "extensions": run_extensions,
}

if __name__ == "__main__":
    sys.exit(main())
