"""The one seam between the core and the extras: the moments a pool announces.

The core (the future, waiting, the executor, the thread pool) knows nothing
of the extras (statistics, the bounded queue, debug mode, the timeline,
``copy_context``).  Instead it *announces moments*, and an extra that wants to
act at a moment implements it.  This is trio's "instrument" design: the run
loop names a few moments, an instrument implements the ones it cares about,
and with none installed each moment costs the loop one ``is None`` check.

Two kinds of object hear the moments of a pool:

- :class:`PoolHooks`, one per pool (``pool._hooks``, None for a plain pool),
  for the moments of the pool as a whole;
- :class:`CallWatch`, one per call, made by :meth:`PoolHooks.queued` and
  carried with the call through the queue, for the moments of that call in
  the worker that takes it.  A call with no watch (``None``) costs its worker
  one check per moment.

The life of a call, with the moment each step announces::

    submit()   hooks.prepare(fn, args, kwargs)      (before the pool's lock)
               hooks.admit()                        (lock held: queue it, or run it here?)
               watch = hooks.queued(future)         (lock held, just before it is queued)
    worker     hooks.worker_waiting()               (about to take the next call)
               watch.started()                      (PENDING -> RUNNING, before the call)
               watch.ended("returned" | "raised")   (after the call, before its future is set)
            or watch.skipped()                      (it was cancelled while queued)
    shutdown() hooks.drained(futures, broken)       (lock held: calls taken out of the queue)

and for the pool's threads: ``hooks.worker_added(thread)`` (lock held,
before the thread starts) and ``hooks.join_workers(threads)``
(``shutdown(wait=True)``).

Each method of the base classes does nothing (or the plain thing), so an
extra overrides only the moments it needs.  Several extras on one pool are
combined by :func:`combine`.

Two moments are not a pool's but the whole process's, and an extra turns
them on with a function of this module (never by writing into a core
module):

- :func:`watch_blocking` -- a thread is about to block, with no timeout, on
  futures (``result()``, ``exception()``, ``wait()``, ``as_completed()``):
  debug mode's deadlock detector;
- :func:`add_everywhere` -- hooks that hear every pool's calls, whatever
  pool: the timeline's recordings.  ``submit()`` reads one module variable
  for them.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

if TYPE_CHECKING:
    from minipool.future import Future

__all__ = [
    "QUEUE",
    "RUN_HERE",
    "BlockingWatcher",
    "CallWatch",
    "PoolHooks",
    "add_everywhere",
    "blocking_watcher",
    "combine",
    "everywhere",
    "remove_everywhere",
    "watch_blocking",
]


# What PoolHooks.admit() answers.
QUEUE = "queue"  # queue the call, as a plain pool does
RUN_HERE = "run here"  # run it now, in the submitting thread


class CallWatch:
    """What hears the moments of one call in the worker that takes it.

    Made by :meth:`PoolHooks.queued`; each method is called once at most, in
    the worker thread, without any lock held.
    """

    # One is made per call: no per-instance dictionary, here or in the
    # subclasses, which declare their own slots.
    __slots__ = ()

    def started(self) -> None:
        """The call is about to run (its future is RUNNING)."""

    def ended(self, outcome: str) -> None:
        """The call returned (*outcome* ``"returned"``) or raised (``"raised"``).

        Called before the future is completed, so that whoever sees the
        result also sees what the extras did here.
        """

    def skipped(self) -> None:
        """The call was cancelled while queued, and the worker passed over it."""


class PoolHooks:
    """What hears the moments of one pool.  Every method here does the plain thing.

    Called in ``submit()`` and ``shutdown()`` with the pool's
    ``_shutdown_lock`` held where the method says so: such a method must not
    call user code, and must not take that lock again.
    """

    def prepare(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        """``submit()`` got a call: return the call to queue instead (lock not held)."""
        return fn, args, kwargs

    def admit(self) -> str:
        """The pool is open: queue the call (``QUEUE``), or run it here (``RUN_HERE``)?

        Lock held.  May raise to refuse the call.  May wait on a condition
        of the pool's lock, which releases the lock meanwhile; the pool
        checks again that it is open when this returns.
        """
        return QUEUE

    def queued(self, future: Future[Any]) -> CallWatch | None:
        """The call of *future* is about to be queued; return its watch, or None.  Lock held."""
        return None

    def drained(self, futures: Sequence[Future[Any]], broken: bool) -> None:
        """The pool stopped taking work; *futures* were taken out of its queue (maybe none).

        Called by ``shutdown()`` (*broken* False: the futures will be
        cancelled) and by a pool whose initializer failed (*broken* True:
        they will fail), lock held, before the futures change.
        """

    def worker_added(self, thread: threading.Thread) -> None:
        """*thread* is a new worker of the pool, not started yet.  Lock held."""

    def worker_waiting(self) -> None:
        """A worker (the calling thread) is about to take its next call from the queue."""

    def join_workers(self, threads: Iterable[threading.Thread]) -> None:
        """``shutdown(wait=True)``: return once every thread in *threads* has ended."""
        for thread in threads:
            thread.join()


class _CombinedWatch(CallWatch):
    """The watches of several extras for one call, told in order."""

    __slots__ = ("_watches",)

    def __init__(self, watches: list[CallWatch]) -> None:
        self._watches = watches

    def started(self) -> None:
        for watch in self._watches:
            watch.started()

    def ended(self, outcome: str) -> None:
        for watch in self._watches:
            watch.ended(outcome)

    def skipped(self) -> None:
        for watch in self._watches:
            watch.skipped()


class _CombinedHooks(PoolHooks):
    """Several extras on one pool, each told of every moment, in the order given."""

    def __init__(self, hooks: list[PoolHooks]) -> None:
        self._hooks = hooks

    def prepare(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        for hooks in self._hooks:
            fn, args, kwargs = hooks.prepare(fn, args, kwargs)
        return fn, args, kwargs

    def admit(self) -> str:
        # The first extra that does not say QUEUE decides.
        for hooks in self._hooks:
            verdict = hooks.admit()
            if verdict != QUEUE:
                return verdict
        return QUEUE

    def queued(self, future: Future[Any]) -> CallWatch | None:
        watches = [w for w in (hooks.queued(future) for hooks in self._hooks) if w is not None]
        if not watches:
            return None
        return watches[0] if len(watches) == 1 else _CombinedWatch(watches)

    def drained(self, futures: Sequence[Future[Any]], broken: bool) -> None:
        for hooks in self._hooks:
            hooks.drained(futures, broken)

    def worker_added(self, thread: threading.Thread) -> None:
        for hooks in self._hooks:
            hooks.worker_added(thread)

    def worker_waiting(self) -> None:
        for hooks in self._hooks:
            hooks.worker_waiting()

    def join_workers(self, threads: Iterable[threading.Thread]) -> None:
        # Each in turn: a thread joined once is joined at once the second time.
        threads = list(threads)
        for hooks in self._hooks:
            hooks.join_workers(threads)


def combine(*hooks: PoolHooks | None) -> PoolHooks | None:
    """One :class:`PoolHooks` that tells each of *hooks* (Nones left out), or None if none."""
    present = [h for h in hooks if h is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else _CombinedHooks(present)


# -- the process-wide moments --------------------------------------------


class BlockingWatcher:
    """What hears that a thread is about to block, with no timeout, on futures.

    Each method performs the wait itself (the watcher may end it early, with
    an error); the plain versions below just wait.
    """

    def wait_for_future(self, future: Future[Any], condition: threading.Condition) -> None:
        """``result()``/``exception()``: wait on *condition* (held) until *future* is done."""
        condition.wait()

    def wait_for_event(
        self, event: threading.Event, futures: Iterable[Future[Any]], need: str
    ) -> None:
        """``wait()``/``as_completed()``: wait for *event*, which is set once *need*
        (``"any"`` or ``"all"``) of *futures* are done."""
        event.wait()


# The watcher of blocking waits, or None (then a blocking wait costs one
# check).  Written by watch_blocking() only; read without a lock by the
# waits: a reference is read or written whole on any build, and a wait that
# reads the old value just waits as it would have.
blocking_watcher: BlockingWatcher | None = None


def watch_blocking(watcher: BlockingWatcher | None) -> None:
    """Make *watcher* hear every blocking wait from now on (None: stop)."""
    global blocking_watcher
    blocking_watcher = watcher


# Hooks that hear every pool's calls (the timeline's recordings), combined
# into one, or None.  _everywhere_lock guards _everywhere_list and the
# rebuilding of everywhere; submit() reads everywhere without it (a
# reference is read whole, and a call queued just before a recording starts
# is simply not in it).
_everywhere_lock = threading.Lock()
_everywhere_list: list[PoolHooks] = []
everywhere: PoolHooks | None = None


def add_everywhere(hooks: PoolHooks) -> None:
    """Let *hooks* hear the calls queued from now on in every pool."""
    global everywhere
    with _everywhere_lock:
        _everywhere_list.append(hooks)
        everywhere = combine(*_everywhere_list)


def remove_everywhere(hooks: PoolHooks) -> None:
    """Undo :func:`add_everywhere` (calls already queued keep their watches)."""
    global everywhere
    with _everywhere_lock:
        _everywhere_list.remove(hooks)
        everywhere = combine(*_everywhere_list)
