"""Waiting on many futures at once: :func:`~minipool.wait` and :func:`~minipool.as_completed`.

Both look at each future first, then *install a waiter* in those not yet
done (an object the future tells when it completes), block on the waiter's
event, and finally take the waiter out of the futures still pending.  The
standard library installs under the locks of *all* the futures at once;
here each future's ``_add_waiter()`` checks its state again under its own
lock and either keeps the waiter or tells it at once, so the waiter hears of
every future exactly once and no thread holds two future locks.  "Done"
means a final state: a future cancelled in the queue counts once a worker
has passed over it, as in the standard library.

A minipool extra: the futures may include the standard library's; a future
without ``_add_waiter()`` goes to :mod:`minipool.stdlib_futures`, imported
only when one comes.
"""

from __future__ import annotations

import collections
import threading
import time
from typing import TYPE_CHECKING, Any, Generic, Iterable, Iterator, NamedTuple, TypeVar, overload

from minipool import hooks as seam
from minipool.errors import TimeoutError
from minipool.future import FINAL_STATES, Future

FIRST_COMPLETED = "FIRST_COMPLETED"
FIRST_EXCEPTION = "FIRST_EXCEPTION"
ALL_COMPLETED = "ALL_COMPLETED"
_AS_COMPLETED = "_AS_COMPLETED"  # as_completed()'s waiter wakes on every completion

T = TypeVar("T")

if TYPE_CHECKING:
    from typing_extensions import Protocol, TypeAlias

    class DoneAndNotDoneFutures(NamedTuple, Generic[T]):
        """What :func:`~minipool.wait` returns: ``(done, not_done)``."""

        done: set[Future[T]]
        not_done: set[Future[T]]

    T_co = TypeVar("T_co", covariant=True)

    class _StdlibFuture(Protocol[T_co]):
        """A :class:`concurrent.futures.Future`, as type checkers see it."""

        _condition: threading.Condition

        def result(self, timeout: float | None = None) -> T_co: ...

    _EitherFuture: TypeAlias = "Future[T] | _StdlibFuture[T]"

    class _MixedDoneAndNotDone(NamedTuple, Generic[T]):
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

    A future calls ``add_result``/``add_exception``/``add_cancelled`` with its
    own lock held: each only records the future and maybe sets ``event``.
    """

    def __init__(self, return_when: str, pending_count: int) -> None:
        if return_when not in (_AS_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED):
            raise ValueError("Invalid return condition: %r" % return_when)
        # _lock guards finished_futures and _pending_count, and makes "append,
        # then maybe set the event" one step for take_finished().
        self._lock = threading.Lock()
        self.finished_futures: list[Future[Any]] = []
        self._pending_count = pending_count
        self._wake_on_any = return_when in (_AS_COMPLETED, FIRST_COMPLETED)
        self._wake_on_exception = return_when == FIRST_EXCEPTION
        self.event = threading.Event()  # wakes the caller; cleared by take_finished()

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
            wake = self._wake_on_any or self._pending_count == 0
            # Fast path: skip set() (a lock and a notify of its own) while the
            # caller has not taken the last wake-up: 40 ns instead of 573 ns.
            if (wake or (raised and self._wake_on_exception)) and not self.event.is_set():
                self.event.set()

    def take_finished(self) -> list[Future[Any]]:
        """The futures collected so far, in completion order; start afresh."""
        with self._lock:
            finished, self.finished_futures = self.finished_futures, []
            self.event.clear()
        return finished


def _install(waiter: _Waiter, futures: Iterable[Future[Any]]) -> bool:
    """Install *waiter* in each future, or have it told of those final; any stdlib future?"""
    met_foreign = False
    for future in futures:
        # Fast path: a try costs nothing when nothing is raised (68 ns a
        # future, 103 ns with an isinstance() test first).
        try:
            add_waiter = future._add_waiter
        except AttributeError:
            _foreign().add_waiter(future, waiter)
            met_foreign = True
        else:
            add_waiter(waiter)
    return met_foreign


def _uninstall(waiter: _Waiter, future: Future[Any]) -> None:
    try:
        remove_waiter = future._remove_waiter
    except AttributeError:
        _foreign().remove_waiter(future, waiter)
    else:
        remove_waiter(waiter)


def _foreign() -> Any:
    """``minipool.stdlib_futures``, imported on first use (the core's one lazy import)."""
    import minipool.stdlib_futures

    return minipool.stdlib_futures


# The standard library's signature, and one for futures mixed with
# concurrent.futures ones.  They overlap on purpose (type checkers take the
# first that applies): the one error this file tells mypy to ignore.
@overload
def wait(  # type: ignore[overload-overlap]
    fs: Iterable[Future[T]], timeout: float | None = None, return_when: str = ALL_COMPLETED
) -> DoneAndNotDoneFutures[T]: ...
@overload
def wait(
    fs: Iterable[_EitherFuture[T]], timeout: float | None = None, return_when: str = ALL_COMPLETED
) -> _MixedDoneAndNotDone[T]: ...
def wait(fs: Iterable[Any], timeout: float | None = None, return_when: str = ALL_COMPLETED) -> Any:
    """Wait for the futures in *fs*, as :func:`concurrent.futures.wait`.

    Returns when *return_when* says (:data:`FIRST_COMPLETED`,
    :data:`FIRST_EXCEPTION` or :data:`ALL_COMPLETED`, the default) or after
    *timeout* seconds (None: no limit), a :class:`DoneAndNotDoneFutures` of
    two sets.  Duplicates count once; the futures may come from different
    executors, and (a minipool extra) be :class:`concurrent.futures.Future` objects.
    """
    fs = set(fs)
    # A first look without locks: a stale state can only read "not done",
    # which _install() checks again under the future's lock.
    done = {f for f in fs if f._state in FINAL_STATES}
    not_done = fs - done
    if not not_done or (return_when == FIRST_COMPLETED and done):
        return DoneAndNotDoneFutures(done, not_done)
    if return_when == FIRST_EXCEPTION and any(
        not f.cancelled() and f.exception() is not None for f in done
    ):
        return DoneAndNotDoneFutures(done, not_done)
    waiter = _Waiter(return_when, pending_count=len(not_done))
    _install(waiter, not_done)
    try:
        watcher = seam.blocking_watcher
        if timeout is None and watcher is not None:  # debug mode; FIRST_EXCEPTION is "any"
            watcher.wait_for_event(
                waiter.event, not_done, "all" if return_when == ALL_COMPLETED else "any"
            )
        else:
            waiter.event.wait(timeout)
    finally:  # also when the wait fails (a bad timeout, Ctrl-C): leave no waiter behind
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

    Those already done first, then the others as they finish or are
    cancelled; duplicates once.  If not all are done *timeout* seconds after
    the first ``next()`` (None: no limit), raises :class:`~minipool.TimeoutError`.
    A future yielded is no longer referenced by the iterator.

    >>> from minipool import ThreadPoolExecutor, as_completed
    >>> with ThreadPoolExecutor(2) as pool:
    ...     futures = [pool.submit(pow, 2, n) for n in range(4)]
    ...     sorted(f.result() for f in as_completed(futures))
    [1, 2, 4, 8]
    """
    # A generator: nothing runs, and the timeout does not start, before the first next().
    if timeout is not None:
        end_time = timeout + time.monotonic()
    fs = set(fs)
    total_futures = len(fs)
    finished = [f for f in fs if f._state in FINAL_STATES]
    pending = fs.difference(finished)
    del fs  # from here on each future is in finished or in pending, not both
    waiter = _Waiter(_AS_COMPLETED, pending_count=len(pending))
    keeps_waiters = _install(waiter, pending)
    watcher = seam.blocking_watcher  # debug mode; looked up once: a local is cheaper
    try:
        yield from _yield_and_forget(finished, pending, None)  # no waiter in these
        while pending:
            wait_timeout = None if timeout is None else end_time - time.monotonic()
            if wait_timeout is not None and wait_timeout < 0:
                raise TimeoutError("%d (of %d) futures unfinished" % (len(pending), total_futures))
            if wait_timeout is None and watcher is not None:
                watcher.wait_for_event(waiter.event, pending, "any")
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
    """Yield from the end of *finished*, dropping our every reference to each future first.

    *waiter* is taken out of each too, when some are the standard library's
    (they keep their waiters once done).
    """
    while finished:
        pending.discard(finished[-1])
        if waiter is not None:
            _uninstall(waiter, finished[-1])
        yield finished.pop()
