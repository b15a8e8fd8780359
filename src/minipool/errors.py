"""The exceptions: the standard library's names, base classes and messages.

They are distinct classes from ``concurrent.futures``' (never imported
here), but for :class:`TimeoutError`, which from 3.11 on *is* the builtin.
"""

from __future__ import annotations

import builtins
import sys


class Error(Exception):
    """Base class for the errors a future raises (not exported, as in the standard library)."""


class CancelledError(Error):
    """The future was cancelled, so it has neither a result nor an exception."""


# versions.TIMEOUT_ERROR_IS_BUILTIN, spelled out: type checkers must see the class.
if sys.version_info >= (3, 11):
    TimeoutError = builtins.TimeoutError
else:

    class TimeoutError(Error):
        """The operation exceeded the given deadline."""


class InvalidStateError(Error):
    """The operation is not allowed in the future's state (``set_result()`` on a done future)."""


class BrokenExecutor(RuntimeError):
    """The executor has become non-functional after a severe failure."""


class BrokenThreadPool(BrokenExecutor):
    """A worker's initializer failed: queued and later calls fail with this error
    (the standard library's is in ``concurrent.futures.thread``)."""
