"""Worker threads are numbered from 1 (prefix_1, prefix_2...) instead of from 0."""

from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def _adjust_thread_count(self):  # type: ignore[no-untyped-def]
        before = set(self._threads)
        super()._adjust_thread_count()
        for thread in set(self._threads) - before:
            prefix, _, number = thread.name.rpartition("_")
            thread.name = f"{prefix}_{int(number) + 1}"
