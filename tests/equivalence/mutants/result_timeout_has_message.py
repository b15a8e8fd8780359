"""result() raises TimeoutError("timed out") where the standard library gives no message."""

from concurrent.futures import TimeoutError, _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def result(self, timeout=None):  # type: ignore[no-untyped-def]
        try:
            return super().result(timeout)
        except TimeoutError as exc:
            if str(exc):
                raise
            raise TimeoutError("timed out") from None


ThreadPoolExecutor = pool_whose_futures_are(Future)
