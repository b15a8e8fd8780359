"""Where Python versions differ: every fact minipool follows, in one place.

minipool equals the standard library *of the running interpreter*, and the
standard library changed along the way, sometimes in a patch release.  Each
fact below is decided by the release that brought the change (the full
release number, not only the series), names the CPython issue that made it,
and says which module uses it.  Nothing else in minipool reads
``sys.version_info``, but for ``minipool.errors``, whose one test must
be written so that type checkers see it.
"""

from __future__ import annotations

import os
import sys

__all__ = [
    "COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY",
    "HAS_GET_SNAPSHOT",
    "HAS_WORKER_CONTEXT",
    "INIT_ERRORS_NAME_QUALNAME",
    "MAP_CANCELS_FAILED_FUTURE",
    "RESULT_RAISES_FALSY_EXCEPTIONS",
    "TIMEOUT_ERROR_IS_BUILTIN",
    "cpu_count",
]

#: 3.11.0 (bpo-42413): ``concurrent.futures.TimeoutError`` became an alias of
#: the builtin :class:`TimeoutError`; before, a subclass of ``Error``.
#: ``minipool.errors`` makes the same test, spelled out for type checkers.
TIMEOUT_ERROR_IS_BUILTIN = sys.version_info >= (3, 11)

#: 3.10.7 (gh-95166): when ``map()``'s iterator fails waiting for a result
#: (the call raised, or the timeout passed), the future it waited on is
#: cancelled too, not only the ones after it.  Used by :mod:`minipool.executor`.
MAP_CANCELS_FAILED_FUTURE = sys.version_info >= (3, 10, 7)

#: 3.12.0 (gh-102024): a worker counts itself idle only when
#: it finds the queue empty; before, after *every* call it ran, so a busy
#: pool's idle count kept growing.  The rule decides whether ``submit()``
#: starts another thread while workers are finishing.  Used by
#: :mod:`minipool.thread_pool`.
COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY = sys.version_info >= (3, 12)

#: 3.13.4 and 3.14.0 (gh-132063): ``result()`` raises a stored exception even
#: when its ``__bool__`` (or ``__len__``) says false; before, it returned
#: None.  (``repr()`` still tests the truth value on every version.)  Used by
#: :mod:`minipool.future`.
RESULT_RAISES_FALSY_EXCEPTIONS = sys.version_info >= (3, 13, 4)

#: 3.15.0 (gh-134173): the private ``Future._get_snapshot()``, which asyncio
#: uses to copy a finished future's state under one lock.  Ours exists where
#: the standard library's does.  Used by :mod:`minipool.future`.
HAS_GET_SNAPSHOT = sys.version_info >= (3, 15)

#: 3.14.0 (gh-124548, with ``InterpreterPoolExecutor``): the pool asks the
#: class method ``prepare_context()`` how its workers set up and run calls,
#: and takes ``**ctxkwargs``.  Used by :mod:`minipool.thread_pool` and
#: :mod:`minipool.worker_context`.
HAS_WORKER_CONTEXT = sys.version_info >= (3, 14)

#: 3.10.0 (bpo-40679, a change of the interpreter): the ``TypeError`` for an
#: unexpected keyword argument names the function by its qualified name
#: (``ThreadPoolExecutor.__init__()``), not ``__init__()``.  Used by
#: :mod:`minipool.thread_pool` for the same error before 3.14's ``**ctxkwargs``.
INIT_ERRORS_NAME_QUALNAME = sys.version_info >= (3, 10)


def cpu_count() -> int | None:
    """The number of CPUs the default ``max_workers`` is computed from.

    3.13.0 (gh-109649): the CPUs this *process* may use
    (``os.process_cpu_count()``); before, the machine's (``os.cpu_count()``).
    Used by :mod:`minipool.thread_pool`.
    """
    if sys.version_info >= (3, 13):
        return os.process_cpu_count()
    return os.cpu_count()
