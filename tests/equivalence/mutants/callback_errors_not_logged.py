"""An exception raised by a done-callback is swallowed without a log record."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def _invoke_callbacks(self):  # type: ignore[no-untyped-def]
        for callback in self._done_callbacks:
            try:
                callback(self)
            except Exception:
                pass  # the standard library logs it on concurrent.futures


ThreadPoolExecutor = pool_whose_futures_are(Future)
