"""minipool: the thread-pool half of :mod:`concurrent.futures`, rebuilt to be read.

Change ``from concurrent.futures import ...`` to ``from minipool import ...``
and everything behaves the same.  Read the modules in this order:

1. :mod:`minipool.errors` -- the exceptions;
2. :mod:`minipool.future` -- the future and its state machine;
3. :mod:`minipool.waiting` -- ``wait()`` and ``as_completed()``;
4. :mod:`minipool.executor` -- the executor interface and ``map()``;
5. :mod:`minipool.stats` -- what a pool counts, for ``ThreadPoolExecutor.stats()``;
6. :mod:`minipool.bounded` -- the opt-in bounded queue (``max_pending``);
7. :mod:`minipool.thread_pool` -- the thread pool and its workers.

The opt-in extras, beyond the standard library: :mod:`minipool.debug` (a
deadlock detector, with :class:`DeadlockError` and :func:`set_debug`),
:mod:`minipool.trace` (a timeline of every call, for Perfetto or a Gantt
chart) and :mod:`minipool.asyncio` (awaiting minipool futures).
"""

from minipool import trace
from minipool.bounded import RejectedError
from minipool.debug import DeadlockError, set_debug
from minipool.errors import (
    BrokenExecutor,
    BrokenThreadPool,
    CancelledError,
    InvalidStateError,
    TimeoutError,
)
from minipool.executor import Executor
from minipool.future import Future
from minipool.stats import DurationSummary, PoolStats
from minipool.thread_pool import ThreadPoolExecutor
from minipool.waiting import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    DoneAndNotDoneFutures,
    as_completed,
    wait,
)

__all__ = [
    "ALL_COMPLETED",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "BrokenExecutor",
    "BrokenThreadPool",
    "CancelledError",
    "DeadlockError",
    "DoneAndNotDoneFutures",
    "DurationSummary",
    "Executor",
    "Future",
    "InvalidStateError",
    "PoolStats",
    "RejectedError",
    "ThreadPoolExecutor",
    "TimeoutError",
    "as_completed",
    "set_debug",
    "trace",
    "wait",
]

__version__ = "0.1.0"
