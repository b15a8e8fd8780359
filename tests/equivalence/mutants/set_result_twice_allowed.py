"""set_result() on a finished future replaces the result instead of raising InvalidStateError."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def set_result(self, result):  # type: ignore[no-untyped-def]
        if self.done() and not self.cancelled():
            with self._condition:
                self._result = result
                self._exception = None
            return
        super().set_result(result)


ThreadPoolExecutor = pool_whose_futures_are(Future)
