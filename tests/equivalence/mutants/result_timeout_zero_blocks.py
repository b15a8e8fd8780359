"""result(timeout=0) waits for the result, as if no timeout were given."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def result(self, timeout=None):  # type: ignore[no-untyped-def]
        return super().result(None if timeout == 0 else timeout)


ThreadPoolExecutor = pool_whose_futures_are(Future)
