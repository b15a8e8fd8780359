"""ThreadPoolExecutor ignores max_workers: every pool gets the default size."""

from concurrent.futures import ThreadPoolExecutor as _ThreadPoolExecutor

from ._stdlib import *  # noqa: F403


class ThreadPoolExecutor(_ThreadPoolExecutor):
    def __init__(self, max_workers=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(None, *args, **kwargs)
