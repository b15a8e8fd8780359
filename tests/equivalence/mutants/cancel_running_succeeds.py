"""cancel() of a running future returns True (and leaves it running)."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def cancel(self):  # type: ignore[no-untyped-def]
        if self.running():
            return True
        return super().cancel()


ThreadPoolExecutor = pool_whose_futures_are(Future)
