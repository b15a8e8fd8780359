"""The concurrent.futures names, with dask.distributed running the calls.

The scale-out path (docs/scale-out.rst): a program written against
``from minipool import ...`` runs its calls on a dask.distributed cluster
instead by importing this module in its place.  ``ThreadPoolExecutor(n)``
starts a local, in-process cluster (``Client(processes=False)``, HTTP on
loopback only) with one worker of *n* threads and hands out its
``Client.get_executor()``; replace the ``Client(...)`` line with
``Client("tcp://scheduler:8786")`` to use a real cluster.  Those executors
return :class:`concurrent.futures.Future` objects, so ``wait`` and
``as_completed`` are minipool's, which accept them (and mix them with
minipool's own futures).  The tour and the tests load it as
``--impl tests.clients.dask_pool``.
"""

from __future__ import annotations

import os
from concurrent.futures import (
    ALL_COMPLETED,
    FIRST_COMPLETED,
    FIRST_EXCEPTION,
    BrokenExecutor,
    CancelledError,
    Future,
    InvalidStateError,
    TimeoutError,
)
from typing import Any, Callable

from distributed import Client

from minipool import as_completed, wait
from minipool.executor import Executor

__all__ = [
    "ALL_COMPLETED",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "BrokenExecutor",
    "CancelledError",
    "Future",
    "InvalidStateError",
    "ThreadPoolExecutor",
    "TimeoutError",
    "as_completed",
    "wait",
]


# A cluster in this process (its comms are in-memory), whose two HTTP servers
# (the scheduler's dashboard and the worker's) listen on loopback only, on
# free ports.
LOCAL_ONLY: dict[str, Any] = {
    "processes": False,
    "dashboard_address": "127.0.0.1:0",
    "worker_dashboard_address": "127.0.0.1:0",
}


class ThreadPoolExecutor(Executor):
    """A local dask.distributed cluster of one worker with *max_workers* threads."""

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        if initializer is not None:
            raise NotImplementedError("use Client.register_plugin for per-worker setup")
        self._max_workers = max_workers or min(32, (os.cpu_count() or 1) + 4)
        self._client = Client(n_workers=1, threads_per_worker=self._max_workers, **LOCAL_ONLY)
        self._executor = self._client.get_executor()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        # pure=False: dask would otherwise run equal calls once and share the result.
        return self._executor.submit(fn, *args, pure=False, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._client.status == "closed":
            return
        if cancel_futures:
            self._client.cancel(list(self._executor._futures))
        self._executor.shutdown(wait=wait)
        self._client.close()
