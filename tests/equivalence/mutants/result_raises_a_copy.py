"""result() raises a copy of the task's exception, not the exception itself."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def result(self, timeout=None):  # type: ignore[no-untyped-def]
        try:
            return super().result(timeout)
        except ValueError as exc:
            raise type(exc)(*exc.args) from None


ThreadPoolExecutor = pool_whose_futures_are(Future)
