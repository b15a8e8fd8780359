"""map() yields results in the order the calls finish, not in input order."""

from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor
from concurrent.futures import as_completed

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def map(self, fn, *iterables, timeout=None, chunksize=1):  # type: ignore[no-untyped-def]
        futures = [self.submit(fn, *args) for args in zip(*iterables)]

        def results():  # type: ignore[no-untyped-def]
            try:
                for future in as_completed(futures, timeout):
                    yield future.result()
            finally:
                for future in futures:
                    future.cancel()

        return results()
