"""The executor interface: what every pool offers, whatever runs the calls.

:class:`Executor` is the base class of :class:`~minipool.ThreadPoolExecutor`
and of any executor a user writes.  A subclass provides :meth:`~Executor.submit`
(and usually :meth:`~Executor.shutdown`); it gets :meth:`~Executor.map` and the
``with`` statement from here, built on ``submit`` alone.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Literal, TypeVar

from minipool.future import Future

if TYPE_CHECKING:
    from typing_extensions import ParamSpec, Self

    P = ParamSpec("P")

__all__ = ["Executor"]

T = TypeVar("T")

# Python 3.10.7 changed map(): when waiting for a result fails (the call
# raised, or the timeout passed), the future being waited on is cancelled too,
# not only the ones after it (gh-95166).  We follow the running version.
_MAP_CANCELS_FAILED_FUTURE = sys.version_info >= (3, 10, 7)


class Executor:
    """Base class of executors: objects that run calls and return futures.

    Same as :class:`concurrent.futures.Executor`.  Subclasses override
    :meth:`submit`; :meth:`map` and the context manager work through it.
    """

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Schedule ``fn(*args, **kwargs)`` and return a :class:`~minipool.Future` for it.

        The base class raises :class:`NotImplementedError`.
        """
        raise NotImplementedError()

    def map(
        self,
        fn: Callable[..., T],
        *iterables: Iterable[Any],
        timeout: float | None = None,
        chunksize: int = 1,
    ) -> Iterator[T]:
        """Like :func:`map`, but the calls run in the executor, possibly at the same time.

        Every call is submitted before this method returns; the iterator it
        returns yields the results *in input order*, waiting for each.  If a
        call raised, the iterator raises that exception at its position.  With
        a *timeout*, measured from this call, the iterator raises
        :class:`~minipool.TimeoutError` if a result is not ready in time.
        When the iterator is closed, garbage-collected or fails, the calls not
        yet started are cancelled.  *chunksize* is accepted and ignored, as
        in the standard library's thread pool.
        """
        if timeout is not None:
            end_time = timeout + time.monotonic()

        futures = [self.submit(fn, *args) for args in zip(*iterables)]

        # The yields live in an inner generator so that the calls above are
        # submitted now, not at the first next().
        def result_iterator() -> Iterator[T]:
            try:
                # Reversed and popped from the end, so that the iterator holds
                # no reference to a future (or its result) once yielded.
                futures.reverse()
                while futures:
                    if timeout is None:
                        yield _result_or_cancel(futures.pop())
                    else:
                        yield _result_or_cancel(futures.pop(), end_time - time.monotonic())
            finally:
                # Closed early, or a result raised: cancel what has not started.
                for future in futures:
                    future.cancel()

        return result_iterator()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Release the executor's resources; no :meth:`submit` is allowed after it.

        If *wait* is true, return only when every submitted call has finished.
        If *cancel_futures* is true, cancel the calls that have not started.
        Calling it more than once is safe.  The base class does nothing.
        """

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> Literal[False]:
        self.shutdown(wait=True)
        return False


def _result_or_cancel(future: Future[T], timeout: float | None = None) -> T:
    """The result of *future*; on any failure to get it, cancel it (3.10.7+)."""
    if not _MAP_CANCELS_FAILED_FUTURE:
        return future.result(timeout)
    try:
        try:
            return future.result(timeout)
        finally:
            future.cancel()
    finally:
        # The exception's traceback holds this frame: break the cycle.
        del future
