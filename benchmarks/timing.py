"""Interleaved timing: every contender once per round, medians over the rounds.

Timings on a shared 2-core machine drift by tens of percent from one second
to the next.  Running the contenders one after another in each round, in a
rotated order, spreads that drift over all of them; the median of the rounds
ignores the odd round that a background job spoiled.
"""

from __future__ import annotations

import datetime
import gc
import json
import os
import platform
import statistics
import sys
import sysconfig
import time
from typing import Any, Callable, Dict, List

# One timed run of a contender: sets up, times only the part that matters,
# cleans up, and returns the seconds it measured.
TimedRun = Callable[[], float]


def timed(fn: Callable[[], object]) -> float:
    """Seconds that ``fn()`` takes, with the garbage collector quiet and collected before."""
    gc.collect()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleave(contenders: Dict[str, TimedRun], repeats: int) -> Dict[str, List[float]]:
    """Run each contender *repeats* times, one of each per round, in a rotated order."""
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for round_number in range(repeats):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(contenders[name]())
    return times


def median(values: List[float]) -> float:
    return statistics.median(values)


def interpreter() -> Dict[str, Any]:
    """What runs the timings: the Python version, whether it runs without the
    GIL, the machine; ``label`` names the run ("3.14.7t": free-threaded, GIL off)."""
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    gil_enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    return {
        "python": platform.python_version(),
        "label": platform.python_version() + ("t" if free_threaded and not gil_enabled else ""),
        "implementation": platform.python_implementation(),
        "free_threaded": free_threaded,
        "gil_enabled": gil_enabled,
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def run_name(report: Dict[str, Any]) -> str:
    """A run's name: "Python 3.14.7t" for a free-threaded build (older results have no label)."""
    return "Python %s" % report.get("label", report["python"])


def write_report(report: Dict[str, Any], path: str | None) -> None:
    """Write *report* as JSON to *path*, if one was given (``--json``), and say so."""
    if path:
        with open(path, "w") as output:
            json.dump(report, output, indent=2)
        print("wrote", path)
