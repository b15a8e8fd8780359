"""exception() of a cancelled future returns None instead of raising CancelledError."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def exception(self, timeout=None):  # type: ignore[no-untyped-def]
        if self.cancelled():
            return None
        return super().exception(timeout)


ThreadPoolExecutor = pool_whose_futures_are(Future)
