"""``stats=True``: counting what a pool does, for ``ThreadPoolExecutor.stats()`` (an extra).

A pool made with ``stats=True`` counts its calls: submitted, running,
finished (returned or raised), cancelled, and how long each waited in the
queue and ran.  :meth:`~minipool.ThreadPoolExecutor.stats` copies the counts
into an immutable :class:`PoolStats`.

How it attaches: :class:`StatsHooks` implements these moments of
:mod:`minipool.hooks`: a call *queued* (counted, and given a
:class:`_StatsWatch` that notes the time), its start, its end or its skip
in the worker, calls *drained* by ``shutdown(cancel_futures=True)`` or a
broken pool, and each *worker added*.  What ``submit()`` and ``shutdown()``
count is guarded by the pool's own lock, what a worker counts by a lock of
that worker's (see ``StatsHooks``); a snapshot takes them all, so it is
consistent (a call is never counted both as running and as finished) on
any build, with or without the GIL.  A pool made without ``stats=True``
has no such object and does none of this.

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
import html
import threading
import time
from typing import TYPE_CHECKING, Any, Sequence

from minipool.hooks import CallWatch, PoolHooks

if TYPE_CHECKING:
    from minipool.future import Future

__all__ = ["DurationSummary", "PoolStats", "StatsHooks", "clock"]

# The clock of every timestamp the extras take (submit, start and end of each
# call): monotonic, and the finest the platform has.
clock = time.perf_counter


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
        >>> with ThreadPoolExecutor(max_workers=2, stats=True) as pool:
        ...     _ = [f.result() for f in [pool.submit(abs, -n) for n in range(10)]]
        ...     stats = pool.stats()
        >>> stats.submitted, stats.completed, stats.failed, stats.queued, stats.running
        (10, 10, 0, 0, 0)
        >>> stats.run_time.count
        10

    Taken while calls are moving, the numbers are consistent with one
    another: they are copied at one moment (under the pool's lock and each
    worker's), and each call is counted once, as queued, running or finished.
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

    def _repr_html_(self) -> str:
        """In a notebook: the snapshot as a table (a cell's last line shows it)."""
        rows = [
            ("calls", "submitted %d · queued %d · running %d · completed %d · failed %d · "
             "cancelled %d" % (self.submitted, self.queued, self.running, self.completed,
                               self.failed, self.cancelled)),
            ("workers", "alive %d · idle %d · largest %d · max %d" % (
                self.workers_alive, self.workers_idle, self.largest_pool_size, self.max_workers)),
            ("busy", "%.3f s over all workers" % self.busy_time),
            ("queue wait", _summary(self.queue_wait)),
            ("run time", _summary(self.run_time)),
        ]  # fmt: skip
        if self.rejected or self.ran_in_caller:
            rows.append(("bounded", "rejected %d · ran in caller %d"
                         % (self.rejected, self.ran_in_caller)))  # fmt: skip
        body = "".join(
            "<tr><th style='text-align:left'>%s</th><td style='text-align:left'>%s</td></tr>"
            % (html.escape(name), html.escape(value))
            for name, value in rows
        )
        return "<table><caption>minipool pool stats</caption>%s</table>" % body


def _summary(durations: DurationSummary) -> str:
    return "%d calls · mean %.3f ms · max %.3f ms" % (
        durations.count,
        durations.mean * 1e3,
        durations.max * 1e3,
    )


class StatsHooks(PoolHooks):
    """The counts of one pool made with ``stats=True``.

    Two kinds of lock guard them, so that a worker never waits for another:

    - *lock*, the pool's ``_shutdown_lock``, guards what ``submit()``,
      ``shutdown()`` and new workers change: the calls submitted and drained,
      the workers, and the list of tallies.  The pool holds it already when it
      tells of those moments, so counting them takes no lock of ours.
    - each worker's ``_Tally`` has a lock of its own, taken only by that
      worker (twice a call) and by ``snapshot()``.  Fast path: per-worker
      tallies.  One lock for every count made the workers of a free-threaded
      build queue up for it at each call's start and end (``stats=True`` cost
      3.5x a plain pool's time on no-op calls, against 2.0x with the GIL;
      ``python -m benchmarks.cores --only extras``).

    ``snapshot()`` takes *lock*, then every tally's lock: it sees one moment.
    """

    def __init__(self, max_workers: int, lock: threading.Lock) -> None:
        self._max_workers = max_workers
        self._lock = lock  # the pool's: guards the fields below
        self._workers: list[threading.Thread] = []
        self._submitted = 0
        self._drained_cancelled = 0  # taken out by shutdown(cancel_futures=True)
        self._drained_failed = 0  # failed by a broken pool
        self._tallies: list[_Tally] = []  # one per worker that has started a call
        # Each worker's own tally, made at its first call.  A thread-local:
        # each thread sees only its own attribute, so no lock is needed to read it.
        self._local = threading.local()

    # -- the moments (lock held) --

    def queued(self, future: Future[Any]) -> CallWatch:
        self._submitted += 1
        return _StatsWatch(self, clock())

    def drained(self, futures: Sequence[Future[Any]], broken: bool) -> None:
        if broken:
            self._drained_failed += len(futures)
        else:
            self._drained_cancelled += len(futures)

    def worker_added(self, thread: threading.Thread) -> None:
        self._workers.append(thread)

    # -- in the worker (lock not held) --

    def _my_tally(self) -> _Tally:
        """The calling worker's tally, made and listed at its first call."""
        tally: _Tally | None = getattr(self._local, "tally", None)
        if tally is None:
            tally = self._local.tally = _Tally()
            with self._lock:
                self._tallies.append(tally)
        return tally

    # -- the snapshot --

    def snapshot(self, *, rejected: int = 0, ran_in_caller: int = 0) -> PoolStats:
        """The counts now, as a :class:`PoolStats` (*rejected* and *ran_in_caller*
        come from a bounded queue, if the pool has one).  Lock held."""
        now = clock()
        tallies = list(self._tallies)
        for tally in tallies:  # in one order, and only here: no deadlock
            tally.lock.acquire()
        try:
            running = [t.current for t in tallies if t.current is not None]
            returned = sum(t.returned for t in tallies)
            raised = sum(t.raised for t in tallies)
            skipped = sum(t.skipped for t in tallies)
            run_total = sum(t.run_total for t in tallies)
            run_max = max([t.run_max for t in tallies], default=0.0)
            wait_total = sum(t.wait_total for t in tallies)
            wait_max = max([t.wait_max for t in tallies], default=0.0)
        finally:
            for tally in tallies:
                tally.lock.release()
        busy_now = sum(now - watch.started_at for watch in running)
        finished = returned + raised
        taken = finished + skipped + len(running)
        alive = sum(1 for thread in self._workers if thread.is_alive())
        return PoolStats(
            submitted=self._submitted,
            queued=self._submitted - taken - self._drained_cancelled - self._drained_failed,
            running=len(running),
            completed=returned,
            failed=raised + self._drained_failed,
            cancelled=skipped + self._drained_cancelled,
            workers_alive=alive,
            workers_idle=max(0, alive - len(running)),
            largest_pool_size=len(self._workers),
            max_workers=self._max_workers,
            busy_time=run_total + busy_now,
            queue_wait=DurationSummary(finished, wait_total, wait_max),
            run_time=DurationSummary(finished, run_total, run_max),
            rejected=rejected,
            ran_in_caller=ran_in_caller,
        )


class _Tally:
    """One worker's counts.  *lock* guards the rest: the worker takes it at each
    call's start and end, ``StatsHooks.snapshot()`` to read."""

    __slots__ = (
        "current", "lock", "raised", "returned", "run_max", "run_total", "skipped", "wait_max",
        "wait_total",
    )  # fmt: skip

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current: _StatsWatch | None = None  # the call running now
        self.returned = self.raised = self.skipped = 0
        self.run_total = self.run_max = 0.0
        self.wait_total = self.wait_max = 0.0


class _StatsWatch(CallWatch):
    """One call's times, from its queueing to its end."""

    __slots__ = ("_stats", "_tally", "queued_at", "started_at")

    def __init__(self, stats: StatsHooks, queued_at: float) -> None:
        self._stats = stats
        self._tally: _Tally | None = None  # its worker's, from its start
        self.queued_at = queued_at
        self.started_at = 0.0

    def started(self) -> None:
        tally = self._tally = self._stats._my_tally()
        with tally.lock:
            self.started_at = clock()
            tally.current = self

    def ended(self, outcome: str) -> None:
        tally = self._tally or self._stats._my_tally()  # the same worker ends it
        ran = clock() - self.started_at
        waited = self.started_at - self.queued_at
        with tally.lock:
            tally.current = None
            if outcome == "returned":
                tally.returned += 1
            else:
                tally.raised += 1
            tally.run_total += ran
            tally.run_max = max(tally.run_max, ran)
            tally.wait_total += waited
            tally.wait_max = max(tally.wait_max, waited)

    def skipped(self) -> None:
        tally = self._stats._my_tally()
        with tally.lock:
            tally.skipped += 1
