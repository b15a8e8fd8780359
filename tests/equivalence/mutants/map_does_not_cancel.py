"""map()'s iterator, when closed early or failed, leaves the remaining work to run."""

import time
from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def map(self, fn, *iterables, timeout=None, chunksize=1):  # type: ignore[no-untyped-def]
        end_time = None if timeout is None else timeout + time.monotonic()
        futures = [self.submit(fn, *args) for args in zip(*iterables)]

        def result_iterator():  # type: ignore[no-untyped-def]
            futures.reverse()
            while futures:
                future = futures.pop()
                if end_time is None:
                    yield future.result()
                else:
                    yield future.result(end_time - time.monotonic())
            # The standard library cancels what is left in a finally: here.

        return result_iterator()
