"""Memory, measured with tracemalloc: what Python allocates per task and per future.

- *per pending task*: everything a ``submit`` allocates while the call waits
  in the queue (the future, the work item, the queue's slot), measured with
  the only worker held busy so that nothing runs;
- *per done future*: what a finished future keeps alive after its call ran
  (the future and what hangs off it), the cost of holding many results;
- *peak of map*: the highest memory in use while ``map`` runs over many
  inputs, above what was in use before.  ``map`` submits every call before it
  returns, so its peak grows with the number of inputs in both pools.

tracemalloc counts the bytes Python's allocator hands out, the same way for
both pools; it slows the run down, which does not matter here.
"""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from types import ModuleType
from typing import Any, List

from benchmarks.contenders import identity, noop


def _traced_now() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def per_pending_task(module: ModuleType, count: int) -> float:
    """Bytes allocated per call submitted while the pool's one worker is busy."""
    gate = threading.Event()
    futures: List[Any | None] = [None] * count
    with module.ThreadPoolExecutor(max_workers=1) as pool:
        blocker = pool.submit(gate.wait)
        tracemalloc.start()
        try:
            before = _traced_now()
            for index in range(count):
                futures[index] = pool.submit(noop)
            after = _traced_now()
        finally:
            tracemalloc.stop()
            gate.set()
        blocker.result()
    return (after - before) / count


def per_done_future(module: ModuleType, count: int) -> float:
    """Bytes still allocated per future once its call has finished."""
    futures: List[Any | None] = [None] * count
    with module.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(noop).result()  # the worker is started before we measure
        tracemalloc.start()
        try:
            before = _traced_now()
            for index in range(count):
                futures[index] = pool.submit(noop)
            module.wait(futures)
            # The last call's work item may still be on its way out of the
            # worker: one more call through the one worker flushes it.
            pool.submit(noop).result()
            after = _traced_now()
        finally:
            tracemalloc.stop()
    return (after - before) / count


def peak_of_map(module: ModuleType, inputs: int, buffersize: int | None = None) -> int:
    """Peak bytes above the start while iterating over ``pool.map`` of *inputs* calls.

    With *buffersize* (minipool on every version; the standard library from
    3.14), ``map`` keeps at most that many calls in flight.
    """
    options = {} if buffersize is None else {"buffersize": buffersize}
    with module.ThreadPoolExecutor() as pool:
        pool.submit(noop).result()
        tracemalloc.start()
        try:
            before = _traced_now()
            tracemalloc.reset_peak()
            for _ in pool.map(identity, range(inputs), **options):
                pass
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak - before


def io_call() -> None:
    """A simulated I/O call of half a millisecond: far slower than one submit()."""
    time.sleep(0.0005)


def peak_of_producer(module: ModuleType, calls: int, **pool_options: Any) -> int:
    """Peak bytes above the start while one thread submits *calls* calls and drops the futures.

    Each call waits longer than many submit()s take, so the producer
    outpaces the pool: without a bound, the queue holds what the
    workers have not reached yet.  *pool_options* (minipool's max_pending=N)
    bound it.
    """
    with module.ThreadPoolExecutor(**pool_options) as pool:
        pool.submit(noop).result()
        tracemalloc.start()
        try:
            before = _traced_now()
            tracemalloc.reset_peak()
            for _ in range(calls):
                pool.submit(io_call)
            pool.shutdown(wait=True)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return peak - before
