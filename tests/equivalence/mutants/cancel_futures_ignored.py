"""shutdown(cancel_futures=True) leaves the queued work to run."""

from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def shutdown(self, wait=True, *, cancel_futures=False):  # type: ignore[no-untyped-def]
        super().shutdown(wait)
