"""The exceptions a future or an executor can raise.

They mirror ``concurrent.futures``: the same names, the same base classes and
the same messages.  They are *distinct classes* from the standard library's
(minipool never imports ``concurrent.futures``), so code that catches
``concurrent.futures.CancelledError`` does not catch ``minipool.CancelledError``;
import both from one place.

One difference between Python versions is followed here, as in the standard
library: from Python 3.11 on, :class:`TimeoutError` *is* the builtin
:class:`TimeoutError` (so it is shared with the standard library); on 3.9 and
3.10 it is a subclass of :class:`Error`.
"""

from __future__ import annotations

import builtins
import sys

__all__ = [
    "BrokenExecutor",
    "BrokenThreadPool",
    "CancelledError",
    "Error",
    "InvalidStateError",
    "TimeoutError",
]


class Error(Exception):
    """Base class for the errors a future raises (not exported, as in the standard library)."""


class CancelledError(Error):
    """The future was cancelled, so it has neither a result nor an exception."""


# minipool.versions.TIMEOUT_ERROR_IS_BUILTIN, written out as a test of
# sys.version_info: the only kind of version test type checkers understand,
# and they must see which class this is.
if sys.version_info >= (3, 11):
    TimeoutError = builtins.TimeoutError
else:

    class TimeoutError(Error):
        """The operation exceeded the given deadline."""


class InvalidStateError(Error):
    """The operation is not allowed in the future's current state.

    Raised by :meth:`~minipool.Future.set_result` and
    :meth:`~minipool.Future.set_exception` on a future that is already done.
    """


class BrokenExecutor(RuntimeError):
    """The executor has become non-functional after a severe failure."""


class BrokenThreadPool(BrokenExecutor):
    """A worker thread of a :class:`~minipool.ThreadPoolExecutor` failed its initializer.

    Every future still waiting in the pool's queue gets this exception, and every
    later :meth:`~minipool.ThreadPoolExecutor.submit` raises it.  (In the standard
    library it lives in ``concurrent.futures.thread``.)
    """
