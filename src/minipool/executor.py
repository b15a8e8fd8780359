"""The executor interface: what every pool offers, whatever runs the calls.

:class:`Executor` is the base class of :class:`~minipool.ThreadPoolExecutor`
and of any executor a user writes.  A subclass provides
:meth:`~minipool.Executor.submit` (and usually
:meth:`~minipool.Executor.shutdown`); it gets :meth:`~minipool.Executor.map`
and the ``with`` statement from here, built on ``submit`` alone.
"""

from __future__ import annotations

import time
import weakref
from collections import deque
from itertools import islice
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Literal, TypeVar

from minipool.future import Future
from minipool.versions import MAP_CANCELS_FAILED_FUTURE

if TYPE_CHECKING:
    from typing_extensions import ParamSpec, Self

    P = ParamSpec("P")

__all__ = ["Executor"]

T = TypeVar("T")


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
        buffersize: int | None = None,
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

        *buffersize* (Python 3.14's parameter, here on every version) bounds
        the calls in flight: with ``buffersize=N`` only the first N inputs
        are read and submitted now, and each ``next()`` reads and submits one
        more before it waits, so an infinite iterator works in flat memory.
        ``None``, the default, reads every input at once.
        """
        if buffersize is not None:
            # The standard library's checks and messages (3.14).  Like it, a
            # bool passes: True is the int 1.
            if not isinstance(buffersize, int):
                raise TypeError("buffersize must be an integer or None")
            if buffersize < 1:
                raise ValueError("buffersize must be None or > 0")
        if timeout is not None:
            end_time = timeout + time.monotonic()

        inputs = zip(*iterables)
        # The futures, newest first: popped from the end, oldest first.  A
        # buffered map adds each new call at the start, so it needs a deque;
        # the plain one is a list, the cheaper of the two to build.
        futures: list[Future[T]] | deque[Future[T]]
        buffer: deque[Future[T]] | None = None  # the same deque, when buffered
        if buffersize is None:
            futures = [self.submit(fn, *args) for args in inputs]
        else:
            futures = buffer = deque(self.submit(fn, *args) for args in islice(inputs, buffersize))
        futures.reverse()
        # A buffered map submits as it goes, through a weak reference: the
        # iterator must not keep the executor alive (3.14 does the same).
        executor_ref = weakref.ref(self)

        # The yields live in an inner generator so that the calls above are
        # submitted now, not at the first next().
        def result_iterator() -> Iterator[T]:
            try:
                while futures:
                    if buffer is not None:
                        _submit_next(executor_ref, fn, inputs, buffer)
                    # Popped, so that the iterator holds no reference to a
                    # future (or its result) once yielded.
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


def _submit_next(
    executor_ref: weakref.ref[Executor],
    fn: Callable[..., T],
    inputs: Iterator[tuple[Any, ...]],
    futures: deque[Future[T]],
) -> None:
    """Buffered map: read and submit one more input, unless the executor is gone or inputs end."""
    executor = executor_ref()
    if executor is None:
        return  # garbage collected: the calls already submitted still finish
    args = next(inputs, None)
    if args is not None:
        futures.appendleft(executor.submit(fn, *args))


def _result_or_cancel(future: Future[T], timeout: float | None = None) -> T:
    """The result of *future*; on any failure to get it, cancel it (3.10.7+)."""
    if not MAP_CANCELS_FAILED_FUTURE:
        return future.result(timeout)
    try:
        try:
            return future.result(timeout)
        finally:
            future.cancel()
    finally:
        # The exception's traceback holds this frame: break the cycle.
        del future
