"""Where Python releases differ: each fact minipool follows, with the release and issue.

minipool equals the standard library of the running interpreter, which
changed along the way, sometimes in a patch release.  Nothing else reads
``sys.version_info`` (``minipool.errors`` spells its one test out for type checkers).
"""

from __future__ import annotations

import os
import sys

#: 3.11.0 (bpo-42413): ``TimeoutError`` is the builtin one, no longer a subclass of ``Error``.
TIMEOUT_ERROR_IS_BUILTIN = sys.version_info >= (3, 11)
#: 3.10.7 (gh-95166): ``map()``'s iterator cancels the future it failed waiting on, too.
MAP_CANCELS_FAILED_FUTURE = sys.version_info >= (3, 10, 7)
#: 3.12.0 (gh-102024): a worker counts itself idle only when it finds the queue
#: empty, not after every call; it decides when ``submit()`` starts a thread.
COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY = sys.version_info >= (3, 12)
#: 3.13.4 and 3.14.0 (gh-132063): ``result()`` raises a stored exception even
#: when it is false (``__bool__``); ``repr()`` still tests its truth.
RESULT_RAISES_FALSY_EXCEPTIONS = sys.version_info >= (3, 13, 4)
#: 3.15.0 (gh-134173): ``Future._get_snapshot()``, which asyncio uses.
HAS_GET_SNAPSHOT = sys.version_info >= (3, 15)
#: 3.14.0 (gh-124548): the pool's ``prepare_context()`` and ``**ctxkwargs``.
HAS_WORKER_CONTEXT = sys.version_info >= (3, 14)
#: The function an unexpected keyword argument's ``TypeError`` names: ``__init__``,
#: qualified from 3.10.0 (bpo-40679), and from 3.14.0 ``prepare_context``, given the keywords.
if HAS_WORKER_CONTEXT:
    KEYWORDS_CHECKED_BY = "ThreadPoolExecutor.prepare_context"
elif sys.version_info >= (3, 10):
    KEYWORDS_CHECKED_BY = "ThreadPoolExecutor.__init__"
else:
    KEYWORDS_CHECKED_BY = "__init__"


def cpu_count() -> int | None:
    """3.13.0 (gh-109649): the default ``max_workers`` counts the CPUs this
    process may use (``os.process_cpu_count()``), before the machine's."""
    if sys.version_info >= (3, 13):
        return os.process_cpu_count()
    return os.cpu_count()
