"""shutdown(wait=True) returns at once instead of joining the workers."""

from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def shutdown(self, wait=True, *, cancel_futures=False):  # type: ignore[no-untyped-def]
        super().shutdown(False, cancel_futures=cancel_futures)
