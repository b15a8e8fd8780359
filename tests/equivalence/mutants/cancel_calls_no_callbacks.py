"""cancel() does not call the done-callbacks (they never run for a cancelled future)."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def _invoke_callbacks(self):  # type: ignore[no-untyped-def]
        if not self.cancelled():
            super()._invoke_callbacks()


ThreadPoolExecutor = pool_whose_futures_are(Future)
