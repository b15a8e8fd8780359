"""submit() after shutdown() raises RuntimeError with a message of its own."""

from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return super().submit(fn, *args, **kwargs)
        except RuntimeError as exc:
            if "shutdown" not in str(exc):
                raise
            raise RuntimeError("the pool is shut down") from None
