"""add_done_callback() on a done future runs the callback in a new thread (and waits for it)."""

import threading
from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def add_done_callback(self, fn):  # type: ignore[no-untyped-def]
        if not self.done():
            super().add_done_callback(fn)
            return
        thread = threading.Thread(target=super().add_done_callback, args=(fn,))
        thread.start()
        thread.join()


ThreadPoolExecutor = pool_whose_futures_are(Future)
