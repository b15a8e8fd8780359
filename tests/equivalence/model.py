"""Where a scenario should stand after each step: the model that says what to wait for.

The suite never judges an implementation by this model.  Equivalence is
judged only by comparing what the reference (``concurrent.futures``) and
the candidate were seen to do.  The model has a narrower job: after each
step it tells the driver which events must happen before the next
observation is taken ("task 3 starts now", "task 1's future is done",
"the thread blocked in ``wait()`` returns now").  Observations are then
taken when the scenario has settled and never race a worker thread.

If the *reference* misses an event the model predicts, the model is wrong;
the driver reports that as a harness error rather than a divergence. So a
clean run against ``--impl=concurrent.futures`` also checks the model.

The model follows the documented behaviour of ``concurrent.futures``, plus
three details of CPython's implementation that decide what can be observed:

* A cancelled future counts as done for ``wait()`` and ``as_completed()``
  only once it is *notified*, when a worker takes it off the queue (or
  someone calls ``set_running_or_notify_cancel()``).  Futures cancelled by
  ``shutdown(cancel_futures=True)`` are taken off the queue without being
  notified.
* Workers take queued work in submission order and skip cancelled work.
* From 3.10.7, a ``map()`` iterator that fails while waiting for a result
  also cancels that future (gh-95166).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

# The states of a future, as the standard library names them.
UNSUBMITTED = "unsubmitted"  # a nested task's child, before its parent starts
REJECTED = "rejected"  # a child whose submit() raised: it has no future
PENDING = "pending"
RUNNING = "running"
CANCELLED = "cancelled"  # cancel() returned True; waiters not yet told
NOTIFIED = "cancelled and notified"  # wait() and as_completed() see it now
FINISHED = "finished"

DONE_STATES = (CANCELLED, NOTIFIED, FINISHED)  # what done() reports
SEEN_BY_WAITERS = (NOTIFIED, FINISHED)  # what wait() and as_completed() count

# What a task does once its gate opens (a bare future's outcome is set by the
# scenario instead).
VALUE = "value"
EXCEPTION = "exception"  # raises ValueError
BASE_EXCEPTION = "base exception"  # raises a BaseException subclass
# Raises an Exception whose truth value is False (gh-132063: result() and
# repr() of some releases test the exception's truth, not its presence).
FALSY_EXCEPTION = "falsy exception"
NESTED = "nested"  # submits a child to its own pool when it starts, returns a value
OUTCOMES = (VALUE, EXCEPTION, BASE_EXCEPTION, FALSY_EXCEPTION, NESTED)

# Kinds of future.
TASK = "task"  # returned by submit(): the scenario holds the Future
MAP_ITEM = "map item"  # submitted by map(): the Future stays inside the iterator
BARE = "bare"  # Future() made by the scenario and completed by it

MAP_CANCELS_FAILED_FUTURE = sys.version_info >= (3, 10, 7)


@dataclass
class FutureModel:
    key: int
    kind: str
    pool: int | None
    outcome: str | None  # tasks: what the function does; bare: what was set
    state: str = PENDING
    gate_open: bool = False
    child: int | None = None  # the key reserved for a nested task's child

    @property
    def done(self) -> bool:
        return self.state in DONE_STATES

    @property
    def seen_by_waiters(self) -> bool:
        return self.state in SEEN_BY_WAITERS

    @property
    def raised(self) -> bool:
        """Finished with an exception (what FIRST_EXCEPTION waits for)."""
        return self.state == FINISHED and self.outcome in (
            EXCEPTION,
            BASE_EXCEPTION,
            FALSY_EXCEPTION,
        )

    @property
    def started(self) -> bool:
        """The task's function has begun (or the bare future was set running)."""
        return self.state == RUNNING or (self.state == FINISHED and self.kind != BARE)


@dataclass
class PoolModel:
    index: int
    max_workers: int
    queue: list[int] = field(default_factory=list)  # keys, in submission order
    running: list[int] = field(default_factory=list)  # keys whose function has begun
    shut_down: bool = False


@dataclass
class MapModel:
    index: int
    pool: int
    items: list[int]  # the keys of the submitted items, in input order
    timeout_expired: bool  # timeout=0: every wait for a result has run out
    next_calls: int = 0  # how many results were asked for
    finished: bool = False  # the iterator is exhausted, failed or closed


class ScenarioModel:
    """The futures, pools and map iterators of one scenario, as they should be."""

    def __init__(self) -> None:
        self.futures: dict[int, FutureModel] = {}
        self.pools: list[PoolModel] = []
        self.maps: list[MapModel] = []

    # -- building --------------------------------------------------------

    def _new_future(self, kind: str, pool: int | None, outcome: str | None) -> FutureModel:
        future = FutureModel(key=len(self.futures), kind=kind, pool=pool, outcome=outcome)
        self.futures[future.key] = future
        return future

    def add_pool(self, max_workers: int) -> int:
        self.pools.append(PoolModel(index=len(self.pools), max_workers=max_workers))
        return len(self.pools) - 1

    def submit(self, pool: int, outcome: str, kind: str = TASK) -> int | None:
        """The key of the new task, or None when submit() must raise (pool shut down)."""
        if self.pools[pool].shut_down:
            return None
        future = self._new_future(kind, pool, outcome)
        if outcome == NESTED:
            future.child = self._new_future(TASK, pool, VALUE).key
            self.futures[future.child].state = UNSUBMITTED
        self.pools[pool].queue.append(future.key)
        return future.key

    def add_bare(self) -> int:
        return self._new_future(BARE, None, None).key

    def add_map(self, pool: int, outcomes: list[str], timeout_expired: bool) -> int | None:
        """The index of the new map iterator, or None when map() must raise."""
        if outcomes and self.pools[pool].shut_down:
            return None
        items = [self.submit(pool, outcome, MAP_ITEM) for outcome in outcomes]
        self.maps.append(
            MapModel(
                index=len(self.maps),
                pool=pool,
                items=[key for key in items if key is not None],
                timeout_expired=timeout_expired,
            )
        )
        return len(self.maps) - 1

    # -- the scenario's own calls -----------------------------------------

    def cancel(self, key: int) -> None:
        future = self.futures[key]
        if future.state == PENDING:
            future.state = CANCELLED

    def set_outcome(self, key: int, outcome: str) -> None:
        """set_result()/set_exception() on a bare future (ignored once done)."""
        future = self.futures[key]
        if future.state in (PENDING, RUNNING):
            future.state, future.outcome = FINISHED, outcome

    def set_running_or_notify_cancel(self, key: int) -> None:
        future = self.futures[key]
        if future.state == PENDING:
            future.state = RUNNING
        elif future.state == CANCELLED:
            future.state = NOTIFIED

    def shutdown(self, pool: int, cancel_futures: bool) -> None:
        model = self.pools[pool]
        model.shut_down = True
        if cancel_futures:
            # The queue is drained: pending work is cancelled, and nothing taken
            # off the queue this way is ever notified.
            for key in model.queue:
                self.cancel(key)
            model.queue.clear()

    def map_next(self, index: int) -> FutureModel | None:
        """Account for one next() on map iterator *index*; return the item it waits for."""
        mapped = self.maps[index]
        if mapped.finished:
            return None
        mapped.next_calls += 1
        if mapped.next_calls > len(mapped.items):
            mapped.finished = True
            return None
        return self.futures[mapped.items[mapped.next_calls - 1]]

    def map_failed(self, index: int, waited_for: FutureModel) -> None:
        """The next() that waited for *waited_for* raised: the iterator cancels the rest."""
        mapped = self.maps[index]
        mapped.finished = True
        if MAP_CANCELS_FAILED_FUTURE:
            self.cancel(waited_for.key)
        for key in mapped.items[mapped.next_calls :]:
            self.cancel(key)

    def map_close(self, index: int) -> None:
        """close() on the iterator.  A generator that never ran has no cleanup to run."""
        mapped = self.maps[index]
        if not mapped.finished and mapped.next_calls > 0:
            for key in mapped.items[mapped.next_calls :]:
                self.cancel(key)
        mapped.finished = True

    # -- what the pools do on their own -------------------------------------

    def advance(self) -> None:
        """Let every pool run until each worker is blocked on a closed gate or idle.

        Finished work frees its worker, which takes the next queued task in
        submission order; cancelled tasks are skipped (and notified); an open
        gate lets a task finish as soon as it starts; a nested task submits its
        child as it starts.
        """
        progress = True
        while progress:
            progress = False
            for pool in self.pools:
                for key in list(pool.running):
                    future = self.futures[key]
                    if future.gate_open:
                        future.state = FINISHED
                        pool.running.remove(key)
                        progress = True
                while pool.queue and len(pool.running) < pool.max_workers:
                    future = self.futures[pool.queue.pop(0)]
                    progress = True
                    if future.state == CANCELLED:
                        future.state = NOTIFIED
                        continue
                    future.state = RUNNING
                    pool.running.append(future.key)
                    if future.child is not None:
                        self._submit_child(pool, future.child)

    def _submit_child(self, pool: PoolModel, key: int) -> None:
        child = self.futures[key]
        if pool.shut_down:
            child.state = REJECTED
        else:
            child.state = PENDING
            pool.queue.append(key)

    def pool_idle(self, pool: int) -> bool:
        """No work left to run or wait for: shutdown(wait=True) returns now."""
        model = self.pools[pool]
        return not model.queue and not model.running

    def startable_pending(self) -> bool:
        """Some queued task has an open gate (it would finish the moment it starts)."""
        return any(
            self.futures[key].gate_open and self.futures[key].state == PENDING
            for pool in self.pools
            for key in pool.queue
        )
