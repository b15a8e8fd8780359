"""A bounded work queue: what a pool does when too many calls wait (an opt-in extra).

The standard library's pool queues without limit: a producer faster than the
workers fills memory with pending calls (cpython#73781, open since 2017).
``ThreadPoolExecutor(max_pending=N)`` caps the calls that wait in the queue
at N beyond what the workers run: ``submit()`` finds the pool full when
``max_workers + N`` calls it accepted have not finished yet.  So a full pool
holds ``max_workers`` running calls plus N waiting ones, as Java's
``ThreadPoolExecutor`` with a bounded queue does once all its threads run.
(Counting unfinished calls rather than the queue's length makes the rule
exact: whether a worker has already taken a call from the queue, a moment
after ``submit()`` returned, cannot change the answer.)  When ``submit()``
finds the pool full, *on_full* decides, with Java's policy names in brackets:

- ``"block"`` (the default; Java has no built-in policy for it): wait for a
  worker to take a call, then queue.  With ``submit_timeout=T``, wait at most
  T seconds, then raise :class:`RejectedError`;
- ``"reject"`` (``AbortPolicy``): raise :class:`RejectedError` at once;
- ``"caller_runs"`` (``CallerRunsPolicy``): run the call in the submitting
  thread, now, and return its future already done.  This slows the producer
  down to the pool's pace, and it can never deadlock on a full queue.

Java's two discarding policies are left out on purpose: a future that is
silently never run hangs whoever waits on it.

How it attaches: :class:`BoundedQueue` implements these moments of
:mod:`minipool.hooks`: *admit* (is there room?), *queued* (one more
unfinished call, with a watch that hears its end), the end or the skip of
each call in the worker (one fewer), and *drained* (the pool stopped taking
work).  A pool made without *max_pending* has none of this.

Locking: the count of unfinished calls is guarded by the pool's own
``_shutdown_lock``: ``submit()`` holds that lock already when it asks
*admit* and *queued*.  A blocked ``submit()`` waits on a condition built on
that same lock, so waiting releases it: workers, ``shutdown()`` and other
submitters go on meanwhile, and the pool checks that it is still open when
*admit* returns.  A worker takes the lock once per call, when the call ends
(before its future is completed, so that whoever sees the result finds the
room already made), to count it and wake one blocked submitter.
``shutdown()`` and a broken pool wake them all, and they raise what any
``submit()`` raises then.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any, Callable, Sequence, TypeVar

from minipool.future import Future
from minipool.hooks import CallWatch, PoolHooks

T = TypeVar("T")

__all__ = ["ON_FULL_POLICIES", "BoundedQueue", "RejectedError"]

ON_FULL_POLICIES = ("block", "reject", "caller_runs")


class RejectedError(RuntimeError):
    """A bounded pool refused a call: its queue was full (a minipool extra).

    Raised by :meth:`~minipool.ThreadPoolExecutor.submit` on a pool made with
    ``max_pending=N``, when the queue holds N calls and *on_full* is
    ``"reject"``, or is ``"block"`` and ``submit_timeout`` passed.  A
    :class:`RuntimeError`, like the error for a submit after shutdown, so an
    ``except RuntimeError`` that handles refused work handles both.
    """


class BoundedQueue(PoolHooks):
    """A bounded pool's cap on unfinished calls, and its rule for when it is full.

    Every field is guarded by *lock*, the pool's ``_shutdown_lock``, which
    the pool holds when it calls ``admit()``, ``queued()`` and ``drained()``.
    """

    def __init__(
        self,
        max_pending: object,
        on_full: object,
        submit_timeout: object,
        max_workers: int,
        lock: threading.Lock,
        *,
        future_type: type[Future[Any]] = Future,
    ) -> None:
        # Checked like map()'s buffersize, with the same style of message.
        if isinstance(max_pending, bool) or not isinstance(max_pending, int):
            raise TypeError("max_pending must be an integer or None")
        if max_pending < 1:
            raise ValueError("max_pending must be None or > 0")
        if on_full not in ON_FULL_POLICIES:
            raise ValueError("on_full must be 'block', 'reject' or 'caller_runs', not %r" % on_full)
        timeout: float | None = None
        if submit_timeout is not None:
            if on_full != "block":
                raise ValueError("submit_timeout applies only to on_full='block'")
            if isinstance(submit_timeout, bool) or not isinstance(submit_timeout, (int, float)):
                raise TypeError("submit_timeout must be a number or None")
            if submit_timeout < 0:
                raise ValueError("submit_timeout must be None or >= 0")
            timeout = submit_timeout
        self.max_pending = max_pending
        self.on_full = str(on_full)  # one of the three, checked above
        self.submit_timeout = timeout
        # Full at this many unfinished calls: every worker busy, N waiting.
        self._capacity = max_workers + max_pending
        # Calls accepted by submit() whose worker has not finished them yet
        # (queued, running, or cancelled and still in the queue).
        self.unfinished = 0
        # Calls refused (RejectedError), and calls run by their submitter
        # because the pool was full; read by stats().
        self.rejected = 0
        self.ran_in_caller = 0
        # True once the pool stopped taking work (shutdown or broken).
        self._closed = False
        # submit() calls waiting for room now: a worker notifies only if any.
        self._blocked = 0
        # Notified when a call ends (one waiter) and when the pool stops
        # taking work (all waiters).
        self._room = threading.Condition(lock)
        # "caller_runs" returns a future of the pool's own kind.
        self._run_here = functools.partial(run_here, future_type)

    def is_full(self) -> bool:
        """Are ``max_workers + max_pending`` calls unfinished?  Lock held."""
        return self.unfinished >= self._capacity

    # -- the moments (lock held) --

    def admit(self) -> Callable[..., Future[Any]] | None:
        if not self.is_full():
            return None  # queue it
        if self.on_full == "caller_runs":
            self.ran_in_caller += 1
            return self._run_here
        if self.on_full == "reject":
            self.rejected += 1
            raise RejectedError("the work queue is full (max_pending=%d)" % self.max_pending)
        # "block": wait for room, or for the pool to stop taking work (then
        # the pool raises what a submit() to it raises).
        deadline = None if self.submit_timeout is None else time.monotonic() + self.submit_timeout
        self._blocked += 1
        try:
            while self.is_full() and not self._closed:
                if deadline is None:
                    self._room.wait()
                    continue
                remaining = deadline - time.monotonic()
                if (remaining <= 0 or not self._room.wait(remaining)) and (
                    self.is_full() and not self._closed
                ):
                    self.rejected += 1
                    raise RejectedError(
                        "no room in the work queue within %g seconds (max_pending=%d)"
                        % (self.submit_timeout or 0.0, self.max_pending)
                    )
        finally:
            self._blocked -= 1
        return None  # there is room now: queue it

    def queued(self, future: Future[Any]) -> CallWatch:
        self.unfinished += 1
        return _RoomWatch(self)

    def drained(self, futures: Sequence[Future[Any]], broken: bool) -> None:
        self.unfinished -= len(futures)
        self._closed = True
        self._room.notify_all()  # every blocked submit() raises

    # -- in the worker (lock not held) --

    def one_done(self) -> None:
        """A worker finished a call, or passed over a cancelled one: room for one more."""
        with self._room:
            self.unfinished -= 1
            # Fast path: notify() is Python code that checks its lock is
            # held; most calls end with no submit() blocked.
            if self._blocked:
                self._room.notify()


class _RoomWatch(CallWatch):
    """Makes room in the queue when its call ends, or is skipped."""

    __slots__ = ("_limit",)

    def __init__(self, limit: BoundedQueue) -> None:
        self._limit = limit

    def ended(self, outcome: str) -> None:
        self._limit.one_done()

    def skipped(self) -> None:
        self._limit.one_done()


def run_here(
    future_type: type[Future[Any]],
    fn: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Future[T]:
    """Run a call in this thread and return its future, done (``on_full="caller_runs"``).

    One difference from a worker: KeyboardInterrupt and SystemExit go into
    the future *and* on up the caller's stack, since this thread, unlike a
    worker, is one that Ctrl-C or sys.exit() is meant to stop.
    """
    future: Future[T] = future_type()
    future.set_running_or_notify_cancel()  # PENDING -> RUNNING: nobody else has it yet
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:
        future.set_exception(exc)
    except BaseException as exc:
        future.set_exception(exc)
        raise
    else:
        future.set_result(result)
    return future
