"""The pool users import: the plain pool, plus the keyword arguments of the opt-in extras.

``minipool.ThreadPoolExecutor`` is this module's class: a subclass of the
plain pool of :mod:`minipool.thread_pool` that adds only a constructor and
:meth:`~minipool.ThreadPoolExecutor.stats`.  Each keyword argument below attaches one
extra to the pool, through the pool's hooks (:mod:`minipool.hooks`); the
module that implements an extra is imported the first time a pool asks for
it, so ``import minipool`` loads none of them.

- ``copy_context=True``: :mod:`minipool.context`; the moment *prepare*;
- ``max_pending=N``: :mod:`minipool.bounded`; *admit*, *queued*, *drained*
  and the end of each call;
- ``stats=True``: :mod:`minipool.stats`; *queued*, *drained*, *worker
  added*, the start and the end of each call;
- ``debug=True``: :mod:`minipool.debug`; *queued*, *drained*, *worker
  added*, *worker waiting*, the start of each call, *joining the workers*.

With none of them, the pool is exactly the plain one: no hooks at all.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Literal

from minipool import thread_pool
from minipool.versions import HAS_WORKER_CONTEXT

if TYPE_CHECKING:
    from minipool.bounded import BoundedQueue
    from minipool.hooks import PoolHooks
    from minipool.stats import PoolStats, StatsHooks

__all__ = ["ThreadPoolExecutor", "debug_by_default", "set_debug"]

# Whether pools that do not say are made in debug mode: set_debug(), or the
# environment variable MINIPOOL_DEBUG when minipool is imported.  Written by
# set_debug() only, read by the constructor: a plain bool, read whole.
_debug_by_default = os.environ.get("MINIPOOL_DEBUG", "") not in ("", "0")


def set_debug(enabled: bool) -> None:
    """Put every :class:`~minipool.ThreadPoolExecutor` made from now on in debug mode, or not.

    The default is off, or on if the environment variable ``MINIPOOL_DEBUG``
    is set to anything but ``0`` when minipool is imported.  A pool's own
    ``debug=`` argument wins over it; a pool already made keeps its mode.
    See :mod:`minipool.debug`.
    """
    global _debug_by_default
    _debug_by_default = bool(enabled)
    if enabled:
        from minipool import debug

        debug.install()


def debug_by_default() -> bool:
    """Whether new pools are in debug mode when they do not say (see :func:`set_debug`)."""
    return _debug_by_default


class ThreadPoolExecutor(thread_pool.ThreadPoolExecutor):
    """An executor that runs calls in a pool of at most *max_workers* threads.

    A drop-in replacement for :class:`concurrent.futures.ThreadPoolExecutor`,
    with the same arguments, defaults, thread names, errors and shutdown::

        >>> from minipool import ThreadPoolExecutor
        >>> with ThreadPoolExecutor(max_workers=1) as executor:
        ...     future = executor.submit(pow, 2, 3)
        ...     print(future.result())
        8

    *max_workers* defaults to ``min(32, CPUs + 4)`` (CPUs available to the
    process on 3.13+, of the machine before); it must be greater than 0.
    Threads are started on demand, one per ``submit`` while no started
    thread is idle, up to *max_workers*.  They are named
    ``"<thread_name_prefix>_<n>"``, by default ``"ThreadPoolExecutor-<pool>_<n>"``.
    *initializer*, if given, is called with *initargs* at the start of every
    worker thread; if it raises, the pool becomes broken: queued and later
    calls fail with :class:`~minipool.BrokenThreadPool`.

    minipool's extras, beyond the standard library, are keyword-only
    arguments, each off by default and attached only when asked for (see
    :doc:`/extensions` and :doc:`/diagnostics`):

    - *debug*: ``True`` puts the pool in debug mode (see
      :mod:`minipool.debug`): a wait on it that can never finish raises
      :class:`~minipool.DeadlockError` instead of hanging.  The default,
      ``None``, follows :func:`~minipool.set_debug` (off unless the
      environment variable ``MINIPOOL_DEBUG=1`` is set).
    - *stats*: ``True`` makes the pool count what it does, for :meth:`stats`.
    - *max_pending*: bound the queue; the pool then holds at most
      ``max_workers + max_pending`` unfinished calls.  When it is full,
      *on_full* decides: ``"block"`` (the default; at most *submit_timeout*
      seconds if given, then :class:`~minipool.RejectedError`), ``"reject"``
      (raise :class:`~minipool.RejectedError`) or ``"caller_runs"`` (run the
      call in the submitting thread).  See :mod:`minipool.bounded`.
    - *copy_context*: run each call in a copy of the submitting thread's
      :mod:`contextvars` context, taken at ``submit()``.

    Two private attributes that widely used libraries read are kept with the
    standard library's meaning: ``_max_workers`` (the int above) and
    ``_threads`` (the set of worker threads started so far).
    """

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        debug: bool | None = None,
        max_pending: int | None = None,
        on_full: Literal["block", "reject", "caller_runs"] | None = None,
        submit_timeout: float | None = None,
        copy_context: bool = False,
        stats: bool = False,
        **ctxkwargs: Any,
    ) -> None:
        super().__init__(max_workers, thread_name_prefix, initializer, initargs, **ctxkwargs)
        extras: list[PoolHooks] = []
        if copy_context:
            from minipool.context import CopyContext

            extras.append(CopyContext())
        # A bounded queue: its count is guarded by the pool's _shutdown_lock.
        self._limit: BoundedQueue | None = None
        if max_pending is not None:
            from minipool.bounded import BoundedQueue

            self._limit = BoundedQueue(
                max_pending, on_full or "block", submit_timeout, self._max_workers,
                self._shutdown_lock, future_type=self._future_type,
            )  # fmt: skip
            extras.append(self._limit)
        elif on_full is not None or submit_timeout is not None:
            raise ValueError("on_full and submit_timeout need max_pending")
        self._stats: StatsHooks | None = None
        if stats:
            from minipool.stats import StatsHooks

            self._stats = StatsHooks(self._max_workers, self._shutdown_lock)
            extras.append(self._stats)
        # Debug mode: chosen once, here, for the pool's life.
        self._debug = debug_by_default() if debug is None else bool(debug)
        if self._debug:
            from minipool.debug import DebugHooks

            extras.append(DebugHooks(self._max_workers, self._work_queue))
        if len(extras) == 1:
            self._hooks = extras[0]
        elif extras:
            from minipool.combine import combine

            self._hooks = combine(*extras)

    if not HAS_WORKER_CONTEXT:
        # Before 3.14 there is no **ctxkwargs: the signature shows none.
        __init__.__dict__["__signature__"] = thread_pool.signature_without_ctxkwargs(__init__)

    def stats(self) -> PoolStats:
        """A snapshot of what the pool has done so far: see :class:`~minipool.PoolStats`.

        Only for a pool made with ``stats=True`` (a minipool extra, not in
        the standard library); otherwise raises :class:`RuntimeError`.
        Cheap: it adds up a few counters per worker, under the pool's lock and theirs.
        """
        if self._stats is None:
            raise RuntimeError("stats() needs a pool made with ThreadPoolExecutor(..., stats=True)")
        limit = self._limit
        with self._shutdown_lock:  # guards the bounded queue's counts, and the stats'
            rejected = 0 if limit is None else limit.rejected
            ran_in_caller = 0 if limit is None else limit.ran_in_caller
            return self._stats.snapshot(rejected=rejected, ran_in_caller=ran_in_caller)


if _debug_by_default:
    # MINIPOOL_DEBUG=1: debug mode is used from the start.
    from minipool import debug as _debug

    _debug.install()
