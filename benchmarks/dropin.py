"""The drop-in classes (minipool.dropin) against the standard library and minipool's own.

    python -m benchmarks.dropin                 # 100,000 no-op calls, 7 rounds
    python -m benchmarks.dropin --tasks 20000 --rounds 5 --json out.json

One process, the three pools interleaved round by round; medians of each
job's time, reported as ratios to the standard library's in the same run.
A drop-in future makes its lock, condition and waiter list up front, as the
standard library's does, so it sits between minipool's and the standard
library's; the pool, the queue and the workers are minipool's.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import functools
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict, List

import minipool
import minipool.dropin
from benchmarks import contenders
from benchmarks.timing import interleave, median, timed

POOLS: Dict[str, ModuleType] = {
    "stdlib": concurrent.futures,
    "minipool": minipool,
    "minipool.dropin": minipool.dropin,
}


def jobs(tasks: int) -> Dict[str, Callable[[ModuleType], None]]:
    calls = [()] * tasks
    inputs = range(tasks)
    return {
        "as_completed": lambda m: contenders.pool_as_completed(m, contenders.noop, calls, None),
        "map": lambda m: contenders.pool_map(m, contenders.identity, inputs, None),
    }


def time_one(run: Callable[[ModuleType], None], module: ModuleType) -> float:
    return timed(lambda: run(module))


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dropin", description=__doc__)
    parser.add_argument("--tasks", type=int, default=100_000, help="no-op calls per job")
    parser.add_argument("--rounds", type=int, default=7, help="timings per pool and job")
    parser.add_argument("--json", type=Path, help="write the times and ratios here")
    arguments = parser.parse_args(argv)
    results: Dict[str, Dict[str, float]] = {}
    for job, run in jobs(arguments.tasks).items():
        runs: Dict[str, Callable[[], float]] = {
            name: functools.partial(time_one, run, module) for name, module in POOLS.items()
        }
        times = interleave(runs, arguments.rounds)
        stdlib = median(times["stdlib"])
        results[job] = {name: median(values) / stdlib for name, values in times.items()}
    print(
        "Python %s, %s CPUs, %d no-op calls, %d rounds: median time / the standard library's"
        % (sys.version.split()[0], os.cpu_count(), arguments.tasks, arguments.rounds)
    )
    print("  %-14s" % "job" + "".join("%17s" % name for name in POOLS))
    for job, ratios in results.items():
        print("  %-14s" % job + "".join("%17.3f" % ratios[name] for name in POOLS))
    if arguments.json:
        arguments.json.write_text(json.dumps({"python": sys.version, "ratios": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
