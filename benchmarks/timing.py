"""Interleaved timing: every contender once per round, medians over the rounds.

Timings on a shared 2-core machine drift by tens of percent from one second
to the next.  Running the contenders one after another in each round, in a
rotated order, spreads that drift over all of them; the median of the rounds
ignores the odd round that a background job spoiled.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Callable, Dict, List

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
