"""The executor interface: ``map()`` and ``with``, built on ``submit()`` alone."""

from __future__ import annotations

import time
import weakref
from collections import deque
from itertools import islice
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Literal, TypeVar

from minipool.future import Future
from minipool.versions import MAP_CANCELS_FAILED_FUTURE

if TYPE_CHECKING:
    from typing_extensions import ParamSpec, Self

    P = ParamSpec("P")

T = TypeVar("T")


class Executor:
    """Base class of executors, as :class:`concurrent.futures.Executor`: a subclass
    overrides :meth:`submit`, and :meth:`map` and ``with`` work through it."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Schedule ``fn(*args, **kwargs)``; return its :class:`~minipool.Future` (here: raise)."""
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

        Every call is submitted now; the iterator yields the results *in input
        order*, raising a call's exception at its place, and
        :class:`~minipool.TimeoutError` if a result is not ready *timeout*
        seconds after this call.  Closed, collected or failed, it cancels the
        calls not started.  *chunksize* is ignored, as by the standard
        library's thread pool.  *buffersize* (3.14's, here on every version):
        submit only N calls now, then one more at each ``next()``.
        """
        if buffersize is not None:
            # The standard library's checks and messages (3.14); True passes, as there.
            if not isinstance(buffersize, int):
                raise TypeError("buffersize must be an integer or None")
            if buffersize < 1:
                raise ValueError("buffersize must be None or > 0")
        if timeout is not None:
            end_time = timeout + time.monotonic()

        inputs = zip(*iterables)
        # Newest first, popped from the end; a buffered map adds at the start (a deque).
        futures: list[Future[T]] | deque[Future[T]]
        buffer: deque[Future[T]] | None = None  # the same deque, when buffered
        if buffersize is None:
            futures = [self.submit(fn, *args) for args in inputs]
        else:
            futures = buffer = deque(self.submit(fn, *args) for args in islice(inputs, buffersize))
        futures.reverse()
        executor_ref = weakref.ref(self)  # weak: the iterator must not keep the executor alive

        # An inner generator: the calls above are submitted now, not at the first next().
        def result_iterator() -> Iterator[T]:
            try:
                while futures:
                    # Buffered: one more call per result, unless the inputs ended or the
                    # executor is gone; held till the next one, as the standard library does.
                    if buffer is not None and (executor := executor_ref()) is not None:
                        args = next(inputs, None)
                        if args is not None:
                            buffer.appendleft(executor.submit(fn, *args))
                    # Popped: no reference to a future (or its result) once yielded.
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
        """Release the executor's resources; no :meth:`submit` after it (here: nothing).
        *wait*: return once every call has finished; *cancel_futures*: cancel those
        not started.  Safe to call more than once."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, exc_val: object, exc_tb: object) -> Literal[False]:
        self.shutdown(wait=True)
        return False


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
        del future  # the exception's traceback holds this frame: no cycle
