"""Counting what a pool does: ``ThreadPoolExecutor.stats()`` and its snapshot.

Statistics are always on, so they must cost next to nothing on the path of
every call.  Each worker thread counts its own calls in *local variables* of
its loop (the cheapest storage Python has) and publishes them in its
:class:`WorkerTally` with one store when a call starts and one when it ends.
So:

- every counter has exactly one writer, its worker; no lock is taken and no
  update can be lost;
- a reader sees each worker's numbers as one consistent whole (replacing an
  attribute is atomic), never a call counted as both running and completed
  (see :class:`WorkerTally` for how).

:meth:`~minipool.ThreadPoolExecutor.stats` adds up the tallies of all the
workers the pool ever started, with the few numbers only the pool knows
(calls submitted, calls taken out of the queue by ``shutdown`` or a broken
pool), into an immutable :class:`PoolStats`.

What the numbers cover, against two well-known pools:

- futurist's ``ExecutorStatistics``: ``executed`` is ``completed + failed``,
  ``failures`` is ``failed``, ``cancelled`` is ``cancelled``, ``runtime`` is
  ``run_time.total`` and ``average_runtime`` is ``run_time.mean``;
- Java's ``ThreadPoolExecutor``: ``getTaskCount`` is ``submitted``,
  ``getCompletedTaskCount`` is ``completed + failed``, ``getActiveCount`` is
  ``running``, ``getQueue().size()`` is ``queued``, ``getPoolSize`` is
  ``workers_alive``, ``getLargestPoolSize`` is ``largest_pool_size``,
  ``getMaximumPoolSize`` is ``max_workers``.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Iterable, Tuple

__all__ = ["DurationSummary", "PoolStats", "WorkerTally"]

# The clock of every timestamp the pool takes (submit, start and end of each
# call): monotonic, and the finest the platform has.
clock = time.perf_counter

# What a worker publishes when a call ends (or is skipped), as a plain tuple
# (the cheapest object to build):
#   (returned, raised, cancelled, run_total, run_max, wait_total, wait_max)
# returned / raised: calls that finished with a result / an exception;
# cancelled: cancelled calls the worker took from the queue and skipped;
# run_total / run_max: seconds spent in finished calls, and the longest;
# wait_total / wait_max: seconds the finished calls had waited in the queue.
Published = Tuple[int, int, int, float, float, float, float]
NOTHING_YET: Published = (0, 0, 0, 0.0, 0.0, 0.0, 0.0)
# What a worker publishes when a call starts: (calls started so far, when
# the last one started).
Running = Tuple[int, float]
NOT_STARTED: Running = (0, 0.0)


class WorkerTally:
    """What one worker thread has done so far.  Written by that worker only.

    ``running`` changes when a call starts, ``published`` when it ends; the
    call that started last is still running if more calls have started than
    ``published`` counts as finished (returned + raised).  A reader reads
    ``running`` *first*: then whatever the worker does meanwhile, a call is
    counted once, as running or as finished, never both and never neither
    of them.
    """

    __slots__ = ("published", "running")

    def __init__(self) -> None:
        # Each replaced as a whole by the worker; read by stats() without a lock.
        self.running: Running = NOT_STARTED
        self.published: Published = NOTHING_YET


@dataclasses.dataclass(frozen=True)
class DurationSummary:
    """How long a set of calls took: count, total and longest, in seconds."""

    count: int
    """How many calls are summed up."""
    total: float
    """Their seconds added up."""
    max: float
    """The longest one (0.0 if there are none)."""

    @property
    def mean(self) -> float:
        """The average, ``total / count`` (0.0 if there are none)."""
        return self.total / self.count if self.count else 0.0


@dataclasses.dataclass(frozen=True)
class PoolStats:
    """A snapshot of what a :class:`~minipool.ThreadPoolExecutor` has done.

    Returned by :meth:`ThreadPoolExecutor.stats()
    <minipool.ThreadPoolExecutor.stats>`; immutable, so it can be kept and
    compared with a later one::

        >>> from minipool import ThreadPoolExecutor
        >>> with ThreadPoolExecutor(max_workers=2) as pool:
        ...     _ = [f.result() for f in [pool.submit(abs, -n) for n in range(10)]]
        ...     stats = pool.stats()
        >>> stats.submitted, stats.completed, stats.failed, stats.queued, stats.running
        (10, 10, 0, 0, 0)
        >>> stats.run_time.count
        10

    Taken while calls are moving, the numbers of each worker are consistent
    with one another, and ``submitted`` is never less than the calls the
    workers took; ``queued`` may count a call that a worker is taking right
    now.
    """

    submitted: int
    """Calls accepted by ``submit()`` (and ``map()``) since the pool was made."""
    queued: int
    """Calls waiting in the queue for a worker (a call cancelled while queued
    counts here until a worker passes over it, as ``wait()`` sees it)."""
    running: int
    """Calls running now."""
    completed: int
    """Calls that returned a result."""
    failed: int
    """Calls that raised, and queued calls failed by a broken pool."""
    cancelled: int
    """Queued calls cancelled and taken out of the queue (by a worker passing
    over them, or by ``shutdown(cancel_futures=True)``)."""
    workers_alive: int
    """Worker threads alive now."""
    workers_idle: int
    """Worker threads alive and not running a call."""
    largest_pool_size: int
    """The most worker threads the pool ever had (threads are never retired
    before shutdown, so this is how many it started)."""
    max_workers: int
    """The pool's limit on worker threads."""
    busy_time: float
    """Seconds spent running calls, over all workers, including the calls running now."""
    queue_wait: DurationSummary
    """Seconds each finished call had waited in the queue, from ``submit()`` to its start."""
    run_time: DurationSummary
    """Seconds each finished call ran."""
    rejected: int = 0
    """Calls a bounded pool refused with :class:`~minipool.RejectedError`
    (``max_pending``; not counted in ``submitted``)."""
    ran_in_caller: int = 0
    """Calls a bounded pool ran in the submitting thread, the pool being full
    (``on_full="caller_runs"``; not counted in ``submitted``)."""


def combine(
    tallies: Iterable[tuple[Running, Published]],
    *,
    submitted: int,
    drained_cancelled: int,
    drained_failed: int,
    rejected: int,
    ran_in_caller: int,
    workers_alive: int,
    max_workers: int,
) -> PoolStats:
    """Add up what the workers published into one :class:`PoolStats`.

    *tallies* holds each worker's ``(running, published)``, read in that
    order and *before* the pool's own counters (``submitted`` and the
    drained counts): every call a worker took was submitted before, so read
    in that order the queue never looks negative.
    """
    now = clock()
    returned = raised = cancelled = running = 0
    run_total = run_max = wait_total = wait_max = busy_now = 0.0
    workers = 0
    for (calls_started, last_started_at), worker_published in tallies:
        workers += 1
        (t_returned, t_raised, t_cancelled,
         t_run_total, t_run_max, t_wait_total, t_wait_max) = worker_published  # fmt: skip
        returned += t_returned
        raised += t_raised
        cancelled += t_cancelled
        if calls_started > t_returned + t_raised:  # its last call has not ended
            running += 1
            busy_now += now - last_started_at
        run_total += t_run_total
        run_max = max(run_max, t_run_max)
        wait_total += t_wait_total
        wait_max = max(wait_max, t_wait_max)
    taken = returned + raised + cancelled + running
    return PoolStats(
        submitted=submitted,
        queued=submitted - taken - drained_cancelled - drained_failed,
        running=running,
        completed=returned,
        failed=raised + drained_failed,
        cancelled=cancelled + drained_cancelled,
        workers_alive=workers_alive,
        workers_idle=max(0, workers_alive - running),
        largest_pool_size=workers,
        max_workers=max_workers,
        busy_time=run_total + busy_now,
        queue_wait=DurationSummary(returned + raised, wait_total, wait_max),
        run_time=DurationSummary(returned + raised, run_total, run_max),
        rejected=rejected,
        ran_in_caller=ran_in_caller,
    )
