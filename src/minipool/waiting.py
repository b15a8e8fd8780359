"""Waiting on many futures at once: :func:`~minipool.wait` and :func:`~minipool.as_completed`.

Both work the same way.  First they look at each future; those already done
are the easy part.  For the rest they *install a waiter*: an object the future
tells when it completes (see the "Who is told" list in
:mod:`minipool.future`).  Then they block on the waiter's event, and finally
take the waiter out of the futures that are still pending (a future that
completed has dropped its waiters itself).

Installing must not miss a completion that happens while it is going on.
The standard library makes the whole look-and-install step atomic by taking
the lock of *every* future, in ``id()`` order.  minipool needs only one
future's lock at a time, and leaves it to the future: ``_add_waiter()``
checks the state once more under the future's own lock and either installs
the waiter (the future will tell it later) or, if the future completed in
the meantime, tells the waiter itself.  Either way the waiter hears of every
future exactly once, and no thread ever holds two future locks, so there is
no lock order to get wrong.  This module never touches a future's waiters or
locks itself.

"Done" here means FINISHED or CANCELLED_AND_NOTIFIED (the future's
``FINAL_STATES``): a future cancelled in the queue counts once an executor
has passed over it, as in the standard library.

Futures of the standard library
===============================

A minipool extra: one call may mix minipool's futures with
:class:`concurrent.futures.Future` objects (and their subclasses, such as
the ones dask.distributed's ``Client.get_executor()`` returns).  A future
without ``_add_waiter()`` is handed to ``minipool.stdlib_futures``,
which does the same with the standard library's private fields; that
module is imported the first time such a future comes, so that a program
using minipool's futures alone never loads it.  (The standard library's own
``wait()`` does not accept minipool futures: it takes ``_condition``, which
they do not have.)
"""

from __future__ import annotations

import collections
import threading
import time
from typing import TYPE_CHECKING, Any, Generic, Iterable, Iterator, NamedTuple, TypeVar, overload

from minipool import hooks as seam
from minipool.errors import TimeoutError
from minipool.future import FINAL_STATES, Future

__all__ = [
    "ALL_COMPLETED",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "DoneAndNotDoneFutures",
    "as_completed",
    "wait",
]

FIRST_COMPLETED = "FIRST_COMPLETED"
FIRST_EXCEPTION = "FIRST_EXCEPTION"
ALL_COMPLETED = "ALL_COMPLETED"
_AS_COMPLETED = "_AS_COMPLETED"  # the waiter of as_completed(): wake on every completion

T = TypeVar("T")

if TYPE_CHECKING:
    from typing_extensions import Protocol, TypeAlias

    class DoneAndNotDoneFutures(NamedTuple, Generic[T]):
        """What :func:`~minipool.wait` returns: ``(done, not_done)``."""

        done: set[Future[T]]
        not_done: set[Future[T]]

    T_co = TypeVar("T_co", covariant=True)

    class _StdlibFuture(Protocol[T_co]):
        """A :class:`concurrent.futures.Future`, as type checkers see it (never imported here)."""

        _condition: threading.Condition

        def result(self, timeout: float | None = None) -> T_co: ...

    # A future of either kind, for the calls that mix them (typing only).
    _EitherFuture: TypeAlias = "Future[T] | _StdlibFuture[T]"

    class _MixedDoneAndNotDone(NamedTuple, Generic[T]):
        """What wait() returns for mixed futures (the same named tuple at run time)."""

        done: set[_EitherFuture[T]]
        not_done: set[_EitherFuture[T]]

else:
    DoneAndNotDoneFutures = collections.namedtuple("DoneAndNotDoneFutures", "done not_done")
    DoneAndNotDoneFutures.__doc__ = """What :func:`~minipool.wait` returns: ``(done, not_done)``.

    ``done`` is the set of futures that completed (finished or cancelled), ``not_done``
    the set of the others.
    """


class _Waiter:
    """Collects the futures that complete while a wait() or as_completed() blocks.

    A future calls ``add_result``, ``add_exception`` or ``add_cancelled`` with
    its own lock held; each only records the future and perhaps sets
    ``event``, which wakes the blocked caller.
    """

    def __init__(self, return_when: str, pending_count: int) -> None:
        if return_when not in (_AS_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED):
            raise ValueError("Invalid return condition: %r" % return_when)
        # _lock guards finished_futures and _pending_count, and makes
        # "append, then maybe set the event" one step for take_finished().
        self._lock = threading.Lock()
        self.finished_futures: list[Future[Any]] = []
        self._pending_count = pending_count
        self._wake_on_any = return_when in (_AS_COMPLETED, FIRST_COMPLETED)
        self._wake_on_exception = return_when == FIRST_EXCEPTION
        # Set when the caller should wake up; cleared by take_finished().
        self.event = threading.Event()

    def add_result(self, future: Future[Any]) -> None:
        self._add(future, raised=False)

    def add_exception(self, future: Future[Any]) -> None:
        self._add(future, raised=True)

    def add_cancelled(self, future: Future[Any]) -> None:
        self._add(future, raised=False)

    def _add(self, future: Future[Any], raised: bool) -> None:
        with self._lock:
            self.finished_futures.append(future)
            self._pending_count -= 1
            if (
                self._wake_on_any
                or self._pending_count == 0
                or (raised and self._wake_on_exception)
            ) and not self.event.is_set():
                # Fast path: Event.set() takes a lock of its own and notifies;
                # skip it when the caller has not yet taken the last wake-up
                # (40 ns instead of 573 ns on a set event, benchmarks/fast_paths.py).
                self.event.set()

    def take_finished(self) -> list[Future[Any]]:
        """Return the futures collected so far, in completion order, and start afresh."""
        with self._lock:
            finished = self.finished_futures
            self.finished_futures = []
            self.event.clear()
        return finished


def _install(waiter: _Waiter, futures: Iterable[Future[Any]]) -> bool:
    """Install *waiter* in each future not yet final; tell it of those that are.

    Afterwards the waiter hears of each future's completion exactly once, and
    _uninstall() may be called on each future.  Returns whether any of them
    is a standard library future: those keep their waiters once done.
    """
    met_foreign = False
    for future in futures:
        # Fast path: try/except costs nothing when nothing is raised, so
        # minipool's own futures pay nothing for the standard library's (68 ns
        # a future, against 103 ns with an isinstance() test first,
        # benchmarks/fast_paths.py).
        try:
            add_waiter = future._add_waiter
        except AttributeError:
            _foreign().add_waiter(future, waiter)
            met_foreign = True
        else:
            add_waiter(waiter)
    return met_foreign


def _uninstall(waiter: _Waiter, future: Future[Any]) -> None:
    """Take *waiter* out of *future* again (a no-op if the future dropped it already)."""
    try:
        remove_waiter = future._remove_waiter
    except AttributeError:
        _foreign().remove_waiter(future, waiter)
    else:
        remove_waiter(waiter)


def _foreign() -> Any:
    """The adapter for standard library futures: ``minipool.stdlib_futures``.

    Imported on first use, so that only a program that mixes the two kinds of
    future loads it.  (The one place the core reaches an extra, and only
    when handed a future that is not minipool's: see the module docstring.)
    """
    import minipool.stdlib_futures

    return minipool.stdlib_futures


# Two signatures for type checkers: minipool futures only (the standard
# library's signature), or mixed with concurrent.futures ones.  They overlap
# on purpose; the first, more precise one wins where both apply.
@overload
def wait(  # type: ignore[overload-overlap]
    fs: Iterable[Future[T]], timeout: float | None = None, return_when: str = ALL_COMPLETED
) -> DoneAndNotDoneFutures[T]: ...
@overload
def wait(
    fs: Iterable[_EitherFuture[T]], timeout: float | None = None, return_when: str = ALL_COMPLETED
) -> _MixedDoneAndNotDone[T]: ...
def wait(
    fs: Iterable[Any],
    timeout: float | None = None,
    return_when: str = ALL_COMPLETED,
) -> Any:
    """Wait for the futures in *fs* to complete, as :func:`concurrent.futures.wait`.

    *return_when* says when to return: :data:`FIRST_COMPLETED` (any future
    finishes or is cancelled), :data:`FIRST_EXCEPTION` (any future raises;
    if none does, as ALL_COMPLETED) or :data:`ALL_COMPLETED` (the default).
    Returns after at most *timeout* seconds (``None``: no limit) either way.

    Returns a :class:`DoneAndNotDoneFutures` named tuple of two sets.
    Duplicates in *fs* count once.  The futures may come from different
    executors, and (a minipool extra) may include
    :class:`concurrent.futures.Future` objects.
    """
    fs = set(fs)
    # First look, without locks: a state read may be stale, but only towards
    # "not done yet", which _install() checks again under the future's lock.
    done = {f for f in fs if f._state in FINAL_STATES}
    not_done = fs - done
    if return_when == FIRST_COMPLETED and done:
        return DoneAndNotDoneFutures(done, not_done)
    if (
        return_when == FIRST_EXCEPTION
        and done
        and any(f for f in done if not f.cancelled() and f.exception() is not None)
    ):
        return DoneAndNotDoneFutures(done, not_done)
    if not not_done:
        return DoneAndNotDoneFutures(done, not_done)

    waiter = _Waiter(return_when, pending_count=len(not_done))
    _install(waiter, not_done)
    try:
        watcher = seam.blocking_watcher
        if timeout is None and watcher is not None:
            # Debug mode (through the seam): the same wait, watched for a
            # deadlock.  A FIRST_EXCEPTION wait counts as "any" there.
            need = "all" if return_when == ALL_COMPLETED else "any"
            watcher.wait_for_event(waiter.event, not_done, need)
        else:
            waiter.event.wait(timeout)
    finally:
        # Also when the wait fails (a bad timeout, Ctrl-C): leave no waiter behind.
        for future in not_done:
            _uninstall(waiter, future)
    done.update(waiter.finished_futures)
    return DoneAndNotDoneFutures(done, fs - done)


@overload
def as_completed(fs: Iterable[Future[T]], timeout: float | None = None) -> Iterator[Future[T]]: ...
@overload
def as_completed(
    fs: Iterable[_EitherFuture[T]], timeout: float | None = None
) -> Iterator[_EitherFuture[T]]: ...
def as_completed(fs: Iterable[Any], timeout: float | None = None) -> Iterator[Any]:
    """Yield the futures in *fs* as they complete, as :func:`concurrent.futures.as_completed`.

    Futures already done are yielded first, then the others in the order in
    which they finish or are cancelled.  Duplicates are yielded once.  If not
    all are done *timeout* seconds after the first ``next()`` (``None``: no
    limit), raises :class:`~minipool.TimeoutError` ``"N (of M) futures
    unfinished"``.  A future yielded is no longer referenced by the iterator.

    >>> from minipool import ThreadPoolExecutor, as_completed
    >>> with ThreadPoolExecutor(2) as pool:
    ...     futures = [pool.submit(pow, 2, n) for n in range(4)]
    ...     sorted(f.result() for f in as_completed(futures))
    [1, 2, 4, 8]
    """
    # A generator: nothing below runs, and the timeout does not start,
    # until the first next().
    if timeout is not None:
        end_time = timeout + time.monotonic()

    fs = set(fs)
    total_futures = len(fs)
    finished = [f for f in fs if f._state in FINAL_STATES]
    pending = fs.difference(finished)
    del fs  # from here on, each future is in finished or in pending, not both
    waiter = _Waiter(_AS_COMPLETED, pending_count=len(pending))
    keeps_waiters = _install(waiter, pending)
    # The watcher of blocking waits (debug mode, through the seam), looked
    # up once: this loop may block once per future, and a local costs less
    # than a module attribute.
    watcher = seam.blocking_watcher
    try:
        # Futures done before the first look come first, in no set order
        # (popped from the end of a list built from a set, as the standard
        # library does).
        yield from _yield_and_forget(finished, pending, None)  # they have no waiter
        while pending:
            if timeout is None:
                wait_timeout = None
            else:
                wait_timeout = end_time - time.monotonic()
                if wait_timeout < 0:
                    raise TimeoutError(
                        "%d (of %d) futures unfinished" % (len(pending), total_futures)
                    )
            if wait_timeout is None and watcher is not None:
                watcher.wait_for_event(waiter.event, pending, "any")  # debug mode
            else:
                waiter.event.wait(wait_timeout)
            finished = waiter.take_finished()
            finished.reverse()  # popped from the end: completion order
            yield from _yield_and_forget(finished, pending, waiter if keeps_waiters else None)
    finally:
        for future in pending:
            _uninstall(waiter, future)


def _yield_and_forget(
    finished: list[Future[T]], pending: set[Future[T]], waiter: _Waiter | None
) -> Iterator[Future[T]]:
    """Yield the futures of *finished* from its end, first dropping every other reference to each.

    A caller of as_completed() may hold thousands of futures and drop each
    after reading it; the iterator must not keep them (or their results)
    alive.  A minipool future in a final state has dropped its waiters
    itself; a standard library future keeps them, so when some are among
    the futures, *waiter* is the one to take out of each here (else None).
    """
    while finished:
        pending.discard(finished[-1])
        if waiter is not None:
            _uninstall(waiter, finished[-1])
        yield finished.pop()
