"""The ways to run N calls that the benchmarks compare.

- a pool from a module with the concurrent.futures names (the standard
  library's, or minipool), through ``submit`` + ``as_completed``, ``map``, or
  ``wait``;
- a plain loop in the calling thread (what the seed notes' pool lost to);
- the *floor*: worker threads that take ``(fn, args)`` from one
  :class:`queue.SimpleQueue` and put the results on another.  No futures, no
  locks of ours, no shutdown protocol: the least any thread pool can cost,
  which minipool is measured against.
"""

from __future__ import annotations

import queue
import threading
from types import ModuleType
from typing import Any, Callable, Iterable, List, Tuple


def noop() -> None:
    """The task of the no-op benchmarks: nothing, so only the pool's own cost is timed."""


def identity(x: int) -> int:
    """The task of the map benchmarks."""
    return x


def default_workers(module: ModuleType) -> int:
    """The number of workers *module*'s pool starts with no max_workers (min(32, CPUs + 4))."""
    with module.ThreadPoolExecutor() as pool:
        workers: int = pool._max_workers
    return workers


def pool_as_completed(
    module: ModuleType,
    fn: Callable[..., Any],
    calls: List[Tuple[Any, ...]],
    workers: int | None,
    **pool_options: Any,
) -> None:
    """Submit every call, then read every result through as_completed (the seed's pattern).

    *pool_options* go to the pool (minipool's ``debug=True``, for one).
    """
    with module.ThreadPoolExecutor(workers, **pool_options) as pool:
        futures = [pool.submit(fn, *args) for args in calls]
        for future in module.as_completed(futures):
            future.result()


def pool_result_each(
    module: ModuleType, fn: Callable[[], Any], count: int, workers: int | None, **pool_options: Any
) -> None:
    """Submit one call and wait for its result, *count* times: every wait blocks."""
    with module.ThreadPoolExecutor(workers, **pool_options) as pool:
        for _ in range(count):
            pool.submit(fn).result()


def pool_map(
    module: ModuleType, fn: Callable[[Any], Any], inputs: Iterable[Any], workers: int | None
) -> None:
    with module.ThreadPoolExecutor(workers) as pool:
        for _ in pool.map(fn, inputs):
            pass


def pool_wait_all(
    module: ModuleType, fn: Callable[[], Any], count: int, workers: int | None
) -> None:
    """Submit *count* calls, then one wait(ALL_COMPLETED)."""
    with module.ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(fn) for _ in range(count)]
        module.wait(futures, return_when=module.ALL_COMPLETED)


def pool_wait_first(
    module: ModuleType, fn: Callable[[], Any], count: int, workers: int | None
) -> int:
    """Submit *count* calls, then wait(FIRST_COMPLETED) on the rest until none is left.

    The loop people write to handle results as they come; returns how many
    wait() calls it took.
    """
    with module.ThreadPoolExecutor(workers) as pool:
        not_done = {pool.submit(fn) for _ in range(count)}
        rounds = 0
        while not_done:
            done, not_done = module.wait(not_done, return_when=module.FIRST_COMPLETED)
            for future in done:
                future.result()
            rounds += 1
    return rounds


def plain_loop(fn: Callable[..., Any], calls: List[Tuple[Any, ...]]) -> None:
    for args in calls:
        fn(*args)


def floor(fn: Callable[..., Any], calls: List[Tuple[Any, ...]], workers: int) -> None:
    """Run the calls on *workers* threads fed by a bare SimpleQueue; collect every result."""
    tasks: queue.SimpleQueue[Tuple[Callable[..., Any], Tuple[Any, ...]] | None] = (
        queue.SimpleQueue()
    )
    results: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def work() -> None:
        while True:
            task = tasks.get()
            if task is None:
                return
            task_fn, args = task
            results.put(task_fn(*args))

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for args in calls:
        tasks.put((fn, args))
    for _ in calls:
        results.get()
    for _ in threads:
        tasks.put(None)
    for thread in threads:
        thread.join()
