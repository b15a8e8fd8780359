"""map() yields a failed call's exception as a value instead of raising it."""

from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def map(self, fn, *iterables, timeout=None, chunksize=1):  # type: ignore[no-untyped-def]
        def catching(*args):  # type: ignore[no-untyped-def]
            try:
                return fn(*args)
            except Exception as exc:
                return exc

        return super().map(catching, *iterables, timeout=timeout, chunksize=chunksize)
