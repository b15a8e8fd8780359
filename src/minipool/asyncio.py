"""asyncio and minipool: await a call that runs in a minipool pool (an opt-in extra).

asyncio's own bridges refuse minipool, and not by accident of behaviour: they
check types.  :func:`asyncio.wrap_future` asserts that its argument is a
:class:`concurrent.futures.Future` (``AssertionError: concurrent.futures.Future
is expected, got <Future at ... state=pending>``), and
:meth:`loop.run_in_executor <asyncio.loop.run_in_executor>` ends in that same
assertion, *after* it has submitted the call to the pool, so the call runs
and its result is lost.  :meth:`loop.set_default_executor
<asyncio.loop.set_default_executor>` asks for a
:class:`concurrent.futures.ThreadPoolExecutor` instance (a
``DeprecationWarning`` up to 3.10, ``TypeError`` from 3.11).  minipool
cannot pass those checks without importing and subclassing the standard
library's classes, which its core never does; so this module offers the two
bridges for minipool futures:

- :func:`wrap_future` turns a minipool future into an awaitable
  :class:`asyncio.Future` of the given (by default, the running) loop;
- :func:`run_in_executor` submits a call to any executor and returns that
  awaitable, like :meth:`loop.run_in_executor <asyncio.loop.run_in_executor>`.

Cancellation goes both ways, as in asyncio's own chaining: cancelling the
asyncio future (or the task awaiting it) cancels the minipool future, which
stops the call if it has not started; a minipool future that is cancelled
(``future.cancel()``, ``shutdown(cancel_futures=True)``) cancels the asyncio
future.  As in asyncio's own chaining, the asyncio side's cancel travels
through a done-callback, which the loop runs on its next turn: a worker
that frees up in between may still start the call.  The minipool future's
errors reach asyncio as asyncio's own classes, as :func:`asyncio.wrap_future`
converts the standard library's:
``minipool.CancelledError`` becomes :class:`asyncio.CancelledError`,
``minipool.TimeoutError`` :class:`asyncio.TimeoutError` and
``minipool.InvalidStateError`` :class:`asyncio.InvalidStateError`.

Threads: the minipool future completes in a worker thread, and an asyncio
future may only be touched from its loop's thread, so the worker hands the
result over with :meth:`loop.call_soon_threadsafe
<asyncio.loop.call_soon_threadsafe>`.  If the loop is closed by then, the
result is dropped, as asyncio does.
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any, Callable, TypeVar, Union

from minipool.errors import CancelledError, InvalidStateError, TimeoutError
from minipool.future import Future

if TYPE_CHECKING:
    from typing_extensions import ParamSpec, Protocol

    from minipool.stdlib_futures import _StdlibFuture

    P = ParamSpec("P")

    class _Submits(Protocol):
        """Any executor: minipool's, the standard library's, or another."""

        def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Any: ...


__all__ = ["run_in_executor", "wrap_future"]

T = TypeVar("T")


def wrap_future(
    future: Union[Future[T], asyncio.Future[T], _StdlibFuture[T]],
    *,
    loop: asyncio.AbstractEventLoop | None = None,
) -> asyncio.Future[T]:
    """Return an :class:`asyncio.Future` of *loop* that completes with *future*.

    *future* is a minipool :class:`~minipool.Future`.  An asyncio future is
    returned as it is, and a :class:`concurrent.futures.Future` goes to
    :func:`asyncio.wrap_future`, as asyncio would do.  *loop* defaults to
    the running loop (so, with no loop given, call it from a coroutine)::

        >>> import asyncio
        >>> from minipool import ThreadPoolExecutor
        >>> from minipool.asyncio import wrap_future
        >>> async def main():
        ...     with ThreadPoolExecutor(2) as pool:
        ...         return await wrap_future(pool.submit(pow, 2, 10))
        >>> asyncio.run(main())
        1024
    """
    if asyncio.isfuture(future):
        return future
    if loop is None:
        loop = asyncio.get_running_loop()
    if not isinstance(future, Future):
        # A concurrent.futures future (or not a future at all): asyncio's own
        # bridge, with its own checks and messages.
        return asyncio.wrap_future(future, loop=loop)  # type: ignore[arg-type]  # the protocol

    waiter: asyncio.Future[T] = loop.create_future()

    # asyncio side -> minipool side, in the loop's thread.
    def cancel_call(waiter: asyncio.Future[T]) -> None:
        if waiter.cancelled():
            future.cancel()  # stops the call if it has not started

    # minipool side -> asyncio side, in the thread that completes the
    # future (a worker, usually): hand over to the loop's thread.
    def hand_over(future: Future[T]) -> None:
        if loop.is_closed():
            return  # nobody can await it any more
        try:
            loop.call_soon_threadsafe(_copy_state, future, waiter)
        except RuntimeError:
            if not loop.is_closed():
                raise
            # Closed between the check and the call: as above.

    waiter.add_done_callback(cancel_call)
    future.add_done_callback(hand_over)
    return waiter


def _copy_state(source: Future[T], destination: asyncio.Future[T]) -> None:
    """Complete *destination* as *source* completed (in the loop's thread)."""
    if destination.cancelled():
        return  # cancelled from the asyncio side meanwhile
    if source.cancelled():
        destination.cancel()
        return
    exception = source.exception()
    if exception is None:
        destination.set_result(source.result())
    else:
        destination.set_exception(_asyncio_error(exception))


def _asyncio_error(exception: BaseException) -> BaseException:
    """minipool's future errors as asyncio's (as asyncio.wrap_future converts the stdlib's)."""
    for ours, theirs in _CONVERTED:
        if type(exception) is ours:  # exactly: subclasses are the user's own
            return theirs(*exception.args)
    return exception


# On 3.11+ minipool.TimeoutError and asyncio.TimeoutError are both the
# builtin TimeoutError: that pair converts to itself.
_CONVERTED: list[tuple[type[BaseException], Callable[..., BaseException]]] = [
    (CancelledError, asyncio.CancelledError),
    (TimeoutError, asyncio.TimeoutError),
    (InvalidStateError, asyncio.InvalidStateError),
]


def run_in_executor(
    executor: _Submits | None, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> asyncio.Future[T]:
    """Submit ``fn(*args, **kwargs)`` to *executor* and return an awaitable for its result.

    What :meth:`loop.run_in_executor <asyncio.loop.run_in_executor>` does,
    for minipool executors (and any other: their futures go through
    :func:`wrap_future`).  Unlike it, keyword arguments are passed on.
    ``None`` means the running loop's default executor.  Call it from a
    coroutine: the future belongs to the running loop.
    """
    loop = asyncio.get_running_loop()
    if executor is None:
        return loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))
    return wrap_future(executor.submit(fn, *args, **kwargs), loop=loop)
