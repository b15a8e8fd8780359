"""shutdown(wait=False) waits for the running calls all the same."""

from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def shutdown(self, wait=True, *, cancel_futures=False):  # type: ignore[no-untyped-def]
        super().shutdown(True, cancel_futures=cancel_futures)
