"""minipool: the thread-pool half of :mod:`concurrent.futures`, rebuilt to be read.

Change ``from concurrent.futures import ...`` to ``from minipool import ...``
and everything behaves the same.  Read the modules in this order:

1. :mod:`minipool.errors` -- the exceptions;
2. :mod:`minipool.future` -- the future and its state machine;
3. :mod:`minipool.waiting` -- ``wait()`` and ``as_completed()``;
4. :mod:`minipool.executor` -- the executor interface and ``map()``;
5. :mod:`minipool.thread_pool` -- the thread pool and its workers.
"""

from minipool.errors import (
    BrokenExecutor,
    BrokenThreadPool,
    CancelledError,
    InvalidStateError,
    TimeoutError,
)
from minipool.executor import Executor
from minipool.future import Future
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
    "DoneAndNotDoneFutures",
    "Executor",
    "Future",
    "InvalidStateError",
    "ThreadPoolExecutor",
    "TimeoutError",
    "as_completed",
    "wait",
]

__version__ = "0.1.0"
