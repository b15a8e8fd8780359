"""set_result() and set_exception() on a done future raise RuntimeError, not InvalidStateError."""

from concurrent.futures import InvalidStateError, _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def set_result(self, result):  # type: ignore[no-untyped-def]
        try:
            super().set_result(result)
        except InvalidStateError as exc:
            raise RuntimeError(str(exc)) from None

    def set_exception(self, exception):  # type: ignore[no-untyped-def]
        try:
            super().set_exception(exception)
        except InvalidStateError as exc:
            raise RuntimeError(str(exc)) from None


ThreadPoolExecutor = pool_whose_futures_are(Future)
