"""minipool: the thread-pool half of :mod:`concurrent.futures`, rebuilt to be read.

Change ``from concurrent.futures import ...`` to ``from minipool import ...``
and everything behaves the same.  Read the core in this order:

1. :mod:`minipool.versions` -- where Python versions differ;
2. :mod:`minipool.errors` -- the exceptions;
3. :mod:`minipool.future` -- the future and its state machine;
4. :mod:`minipool.waiting` -- ``wait()`` and ``as_completed()``;
5. :mod:`minipool.executor` -- the executor interface and ``map()``;
6. :mod:`minipool.thread_pool` -- the plain thread pool and its workers.

The opt-in extras, beyond the standard library, each in its own module and
attached through the moments of :mod:`minipool.hooks` (the seam: the core
calls them, the extras implement them): :mod:`minipool.extended` (the pool
you import, with the extras' keyword arguments), :mod:`minipool.stats`,
:mod:`minipool.bounded`, :mod:`minipool.context`, :mod:`minipool.debug` (a
deadlock detector), :mod:`minipool.trace` (a timeline of every call),
:mod:`minipool.asyncio` (awaiting minipool futures) and :mod:`minipool.dropin`
(the classes that are also the standard library's, for code that checks types).  None of them is
imported until it is used: the names below that come from one are loaded
on first access.
"""

from typing import TYPE_CHECKING, Any

from minipool.errors import (
    BrokenExecutor,
    BrokenThreadPool,
    CancelledError,
    InvalidStateError,
    TimeoutError,
)
from minipool.executor import Executor
from minipool.extended import ThreadPoolExecutor, set_debug
from minipool.future import Future
from minipool.waiting import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    DoneAndNotDoneFutures,
    as_completed,
    wait,
)

if TYPE_CHECKING:
    from minipool import trace
    from minipool.bounded import RejectedError
    from minipool.debug import DeadlockError
    from minipool.stats import DurationSummary, PoolStats

# The modules loaded on demand (the seam, the extras, and the two the core
# loads when a call needs them), and the names they define that minipool
# exports: imported on first access (PEP 562), so that "import minipool"
# loads none of them.
_EXTRA_MODULES = {
    "asyncio",
    "bounded",
    "combine",
    "context",
    "debug",
    "dropin",
    "hooks",
    "reach",
    "stats",
    "stdlib_futures",
    "trace",
    "worker_context",
}
_FROM_EXTRAS = {
    "DeadlockError": "minipool.debug",
    "DurationSummary": "minipool.stats",
    "PoolStats": "minipool.stats",
    "RejectedError": "minipool.bounded",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _EXTRA_MODULES:
        return importlib.import_module("minipool." + name)
    if name in _FROM_EXTRAS:
        return getattr(importlib.import_module(_FROM_EXTRAS[name]), name)
    raise AttributeError("module 'minipool' has no attribute %r" % name)


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
