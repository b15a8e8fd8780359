"""running() is True for a pending future, before a worker has started it."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def running(self):  # type: ignore[no-untyped-def]
        return not self.done()


ThreadPoolExecutor = pool_whose_futures_are(Future)
