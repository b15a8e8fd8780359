"""minipool where ``concurrent.futures`` is expected: change only the import (an extra).

Code that hands an executor or a future to someone else meets type checks
that minipool's own classes cannot pass, as they are built from scratch:
``asyncio`` asserts ``isinstance(future, concurrent.futures.Future)`` and
``isinstance(executor, concurrent.futures.ThreadPoolExecutor)``, dask and
tornado test the same, ``concurrent.futures.wait()`` reaches into a future's
``_condition`` and ``_waiters``, and handlers written for the standard
library catch its exception classes, which asyncio even tests by identity.
This module's classes pass all of that::

    from minipool.dropin import ThreadPoolExecutor, as_completed, wait   # was: concurrent.futures

- :class:`Future` and :class:`ThreadPoolExecutor` are subclasses of minipool's
  classes *and* of the standard library's, in that order: every method that
  runs is minipool's, and ``isinstance()`` checks for either pass.
- The exceptions *are* the standard library's classes (``CancelledError``,
  ``TimeoutError``, ``InvalidStateError``, ``BrokenExecutor``,
  ``BrokenThreadPool``), and the future and the pool raise them.
- A future keeps the standard library's private protocol, which its
  ``wait()``, ``as_completed()`` and asyncio rely on: ``_condition``, a
  condition over a re-entrant lock that guards the state (its ``wait()``
  calls ``cancelled()`` and ``exception()`` holding it), and ``_waiters``, a
  list that a final future keeps (its ``wait()`` takes its waiter out of
  every future afterwards).
- ``wait()`` and ``as_completed()`` are :func:`minipool.wait` and
  :func:`minipool.as_completed`, which accept these futures, minipool's and
  the standard library's.

The cost: a future here makes a re-entrant lock and its list of waiters up
front, as the standard library's does; its condition, only when asked for.

This is the one module of ``src/minipool`` outside the comparison tooling
that imports :mod:`concurrent.futures`: it exists to subclass its classes.
No core module imports this one, and ``import minipool`` loads neither it nor
:mod:`concurrent.futures` (``minipool.dropin`` is loaded on first access).
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.thread
import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from minipool import errors, executor, extended, future, waiting
from minipool.versions import HAS_WORKER_CONTEXT, TIMEOUT_ERROR_IS_BUILTIN
from minipool.waiting import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    DoneAndNotDoneFutures,
    wait,
)

if TYPE_CHECKING:
    from typing_extensions import ParamSpec

    from minipool.stdlib_futures import _StdlibFuture

    P = ParamSpec("P")

__all__ = [
    "ALL_COMPLETED",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "BrokenExecutor",
    "BrokenThreadPool",
    "CancelledError",
    "DoneAndNotDoneFutures",
    "Executor",
    "Future",
    "InvalidStateError",
    "ThreadPoolExecutor",
    "TimeoutError",
    "as_completed",
    "wait",
]

T = TypeVar("T")

# The standard library's own exception classes: handlers written for it catch them.
CancelledError = concurrent.futures.CancelledError
TimeoutError = concurrent.futures.TimeoutError
InvalidStateError = concurrent.futures.InvalidStateError
BrokenExecutor = concurrent.futures.BrokenExecutor
BrokenThreadPool = concurrent.futures.thread.BrokenThreadPool


class Future(future.Future[T], concurrent.futures.Future[T]):  # type: ignore[misc]
    """A :class:`minipool.Future` that is also a :class:`concurrent.futures.Future`.

    It raises the standard library's exceptions and keeps its private
    protocol (``_condition``, ``_waiters``) for its ``wait()`` and asyncio::

        >>> import concurrent.futures
        >>> from minipool.dropin import Future
        >>> f = Future()
        >>> f.cancel(), isinstance(f, concurrent.futures.Future)
        (True, True)
        >>> try:
        ...     f.result()
        ... except concurrent.futures.CancelledError:
        ...     print("caught")
        caught
    """

    _CancelledError = CancelledError
    _TimeoutError = TimeoutError
    _InvalidStateError = InvalidStateError
    _keeps_waiters = True  # the standard library's wait() takes its waiter out itself

    def __init__(self) -> None:
        """Initializes the future. Should not be called by clients."""
        super().__init__()  # minipool's: the standard library's __init__ never runs
        # The standard library's protocol: a re-entrant lock (its wait() calls
        # cancelled() and exception() holding _condition) and a list of waiters.
        self._state_lock = threading.RLock()  # type: ignore[assignment]
        self._waiters = []

    @property
    def _condition(self) -> threading.Condition:  # type: ignore[override]
        """The standard library's name for the condition over the state lock.

        Fast path: made on first use, as minipool's future makes its condition,
        not up front as the standard library does: as_completed of no-op calls
        took 0.72 of the standard library's time with it made up front, 0.25
        without (benchmarks/dropin.py, 3.13).
        """
        with self._state_lock:
            if self._done_condition is None:
                self._done_condition = threading.Condition(self._state_lock)
            return self._done_condition


class Executor(executor.Executor, concurrent.futures.Executor):  # type: ignore[misc]
    """:class:`minipool.Executor`, also a :class:`concurrent.futures.Executor`: subclass it
    and override :meth:`~minipool.Executor.submit`."""


class ThreadPoolExecutor(  # type: ignore[misc]
    extended.ThreadPoolExecutor, Executor, concurrent.futures.ThreadPoolExecutor
):
    """:class:`minipool.ThreadPoolExecutor`, also a :class:`concurrent.futures.ThreadPoolExecutor`.

    The same arguments, extras included (``stats=True``, ``max_pending=``,
    ``debug=``, ``copy_context=``); its futures are :class:`Future`, and a
    broken pool raises the standard library's ``BrokenThreadPool``::

        >>> import asyncio
        >>> from minipool.dropin import ThreadPoolExecutor
        >>> async def main():
        ...     with ThreadPoolExecutor(2) as pool:
        ...         return await asyncio.get_running_loop().run_in_executor(pool, pow, 2, 5)
        >>> asyncio.run(main())
        32
    """

    _future_type = Future
    _broken_type = BrokenThreadPool
    if HAS_WORKER_CONTEXT:
        BROKEN = BrokenThreadPool  # type: ignore[assignment]

    if TYPE_CHECKING:  # for type checkers: its futures are this module's Future

        def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]: ...


if TIMEOUT_ERROR_IS_BUILTIN:
    as_completed = waiting.as_completed
else:  # before 3.11 the standard library's TimeoutError is a class of its own

    def as_completed(
        fs: Iterable[future.Future[T] | _StdlibFuture[T]], timeout: float | None = None
    ) -> Iterator[future.Future[T]]:
        """:func:`minipool.as_completed`, raising the standard library's TimeoutError."""
        try:
            yield from waiting.as_completed(fs, timeout)
        except errors.TimeoutError as error:
            raise TimeoutError(*error.args) from None


def __getattr__(name: str) -> Any:
    """The rest of minipool's names (its extras: ``set_debug``, ``DeadlockError``, ...)."""
    import minipool

    if name in minipool.__all__:
        return getattr(minipool, name)
    raise AttributeError("module 'minipool.dropin' has no attribute %r" % name)
