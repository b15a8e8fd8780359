"""add_done_callback() on a future that is already done never calls the callback."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def add_done_callback(self, fn):  # type: ignore[no-untyped-def]
        with self._condition:
            if not self.done():
                self._done_callbacks.append(fn)
        # The standard library calls fn(self) here when the future is done.


ThreadPoolExecutor = pool_whose_futures_are(Future)
