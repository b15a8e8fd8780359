"""submit() after shutdown() runs the call in a thread of its own instead of raising."""

import threading
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._shutdown:
            return super().submit(fn, *args, **kwargs)
        future = Future()  # type: ignore[var-annotated]

        def run() -> None:
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)

        threading.Thread(target=run, name="after-shutdown").start()
        return future
