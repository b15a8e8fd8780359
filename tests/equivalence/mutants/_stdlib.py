"""The names every mutant re-exports unchanged unless it replaces them.

``pool_whose_futures_are(cls)`` is for mutants of ``Future``: the standard
library's pool makes its own futures, so the returned pool class turns each
one it hands out into an instance of *cls* (a subclass of ``Future`` that
adds no fields, so its ``__class__`` can be swapped).
"""

from concurrent.futures import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    BrokenExecutor,
    CancelledError,
    Executor,
    Future,
    InvalidStateError,
    ThreadPoolExecutor,
    TimeoutError,
    as_completed,
    wait,
)
from concurrent.futures.thread import BrokenThreadPool
from typing import Any


def pool_whose_futures_are(future_class: type[Any]) -> type[ThreadPoolExecutor]:
    class Pool(ThreadPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            future = super().submit(fn, *args, **kwargs)
            future.__class__ = future_class
            return future

    Pool.__name__ = Pool.__qualname__ = "ThreadPoolExecutor"
    return Pool


__all__ = [
    "ALL_COMPLETED",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "BrokenExecutor",
    "BrokenThreadPool",
    "CancelledError",
    "Executor",
    "Future",
    "InvalidStateError",
    "ThreadPoolExecutor",
    "TimeoutError",
    "as_completed",
    "wait",
]
