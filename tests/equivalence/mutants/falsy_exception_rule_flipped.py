"""result() treats a falsy exception (gh-132063) the other way from the running release."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def result(self, timeout=None):  # type: ignore[no-untyped-def]
        exception = super().exception(timeout)
        if exception is not None and not exception:
            if _STDLIB_RAISES_FALSY:
                return None
            raise exception
        return super().result(timeout)


def _stdlib_raises_falsy() -> bool:
    class Falsy(Exception):
        def __bool__(self) -> bool:
            return False

    future = _base.Future()  # type: ignore[var-annotated]
    future.set_exception(Falsy())
    try:
        future.result()
    except Falsy:
        return True
    return False


_STDLIB_RAISES_FALSY = _stdlib_raises_falsy()


ThreadPoolExecutor = pool_whose_futures_are(Future)
