"""submit() starts a new worker thread (up to max_workers) even when one is idle."""

from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def _adjust_thread_count(self):  # type: ignore[no-untyped-def]
        # The standard library first takes an idle worker's token, if there
        # is one, and then starts no thread: drop the tokens.
        while self._idle_semaphore.acquire(timeout=0):
            pass
        super()._adjust_thread_count()
