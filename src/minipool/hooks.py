"""The seam: the moments a pool announces, for the extras to act on.

The core never imports an extra, nor this module (but for type checkers): it
calls these methods on whatever object it is given.  A pool tells its hooks
(``pool._hooks``) of each moment, and a call its *watch*; an extra implements
the moments it needs and inherits the plain thing for the rest.  A plain pool has no hooks and its
calls no watch: a moment costs one ``is None`` check (as trio's instruments)::

    submit()   hooks.prepare(fn, args, kwargs)   lock not held: may replace the call
               hooks.admit()                     lock held: queue it, or run what instead?
               watch = hooks.queued(future)      lock held, just before it is queued
    worker     hooks.worker_waiting()            about to take the next call
               watch.started()                   RUNNING, before the call
               watch.ended(outcome)              after it, before the future is set
            or watch.skipped()                   it was cancelled while queued
    shutdown() hooks.drained(futures, broken)    lock held: calls taken out of the queue
               hooks.join_workers(threads)       wait=True
    pool       hooks.worker_added(thread)        lock held, before the thread starts

Two moments are the whole process's, each turned on by a function of the core
(never by writing into it): a thread blocking on futures
(:func:`minipool.future.watch_blocking`, debug mode) and every pool's calls
(:func:`minipool.thread_pool.hear_every_pool`, the timeline).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

if TYPE_CHECKING:
    from minipool.future import Future


class CallWatch:
    """Hears the moments of one call, in its worker, with no lock held."""

    __slots__ = ()  # one per call: no dictionary each (subclasses declare slots too)

    def started(self) -> None:
        """The call is about to run (its future is RUNNING)."""

    def ended(self, outcome: str) -> None:
        """The call returned (*outcome* ``"returned"``) or raised (``"raised"``)."""

    def skipped(self) -> None:
        """The call was cancelled while queued, and the worker passed over it."""


class PoolHooks:
    """Hears the moments of one pool.  "Lock held": the pool's ``_shutdown_lock``; no user code."""

    def prepare(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        """``submit()`` got a call: return the call to queue instead."""
        return fn, args, kwargs

    def admit(self) -> Callable[..., Future[Any]] | None:
        """Lock held: None queues the call, or ``run(fn, args, kwargs)`` runs it instead.
        May raise to refuse it, or wait on a condition of the lock."""
        return None

    def queued(self, future: Future[Any]) -> CallWatch | None:
        """Lock held: the call of *future* is about to be queued; return its watch."""
        return None

    def drained(self, futures: Sequence[Future[Any]], broken: bool) -> None:
        """Lock held: *futures* left the queue, to be cancelled (shutdown) or fail (*broken*)."""

    def worker_added(self, thread: threading.Thread) -> None:
        """Lock held: *thread* is a new worker, not started yet."""

    def worker_waiting(self) -> None:
        """A worker (the calling thread) is about to take its next call."""

    def join_workers(self, threads: Iterable[threading.Thread]) -> None:
        """``shutdown(wait=True)``: return once every thread has ended."""
        for thread in threads:
            thread.join()


class BlockingWatcher:
    """Hears a thread about to block on futures (``wait_for_event``: with no timeout);
    it waits itself (or raises)."""

    def wait_for_future(
        self, future: Future[Any], condition: threading.Condition, timeout: float | None
    ) -> None:
        """``result()``/``exception()``: wait on *condition* (held) until *future* is
        done, or *timeout* seconds pass."""
        condition.wait(timeout)

    def wait_for_event(self, event: threading.Event, futures: Iterable[Any], need: str) -> None:
        """``wait()``/``as_completed()``: wait for *event*, set once *need* (``"any"``
        or ``"all"``) of *futures* are done."""
        event.wait()
