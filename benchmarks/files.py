"""The seed notes' benchmark: write many tiny files, in a loop, on a pool, on two threads.

In the seed notes a ``ThreadPoolExecutor()`` writing 100,000 small files took
15.7 s where a plain loop took 14.7 s.  Each call is tiny (a ``stat``, an
``open``, a short ``write``, a ``close``) and holds the GIL for most of its
time, so threads can overlap only the few microseconds spent inside the
system calls, while the pool adds its own cost to every call: the bookkeeping
of a future, a hand-off between threads and, with more workers than cores,
threads that queue up for the GIL after every system call.  Two plain threads
that split the work are the yardstick: what two cores can do with no pool.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from types import ModuleType
from typing import Callable


def write_file(directory: str, number: int) -> str:
    """The seed's task, made to write into *directory* instead of ./test_txt."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, str(number)), "w") as txt:
        txt.write("the number is %d" % number)
    return "Return of {}".format(number)


def in_fresh_directory(job: Callable[[str], None], parent: str | None = None) -> float:
    """Time ``job(directory)`` on a new empty directory, removed afterwards (not timed)."""
    directory = tempfile.mkdtemp(prefix="minipool-bench-", dir=parent)
    try:
        target = os.path.join(directory, "test_txt")
        started = time.perf_counter()
        job(target)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(directory)


def loop(count: int) -> Callable[[str], None]:
    def job(directory: str) -> None:
        for number in range(count):
            write_file(directory, number)

    return job


def pool(module: ModuleType, count: int, workers: int | None = None) -> Callable[[str], None]:
    """The seed's code: submit every file to a default pool, then as_completed."""

    def job(directory: str) -> None:
        with module.ThreadPoolExecutor(workers) as executor:
            futures = [executor.submit(write_file, directory, number) for number in range(count)]
            for future in module.as_completed(futures):
                future.result()

    return job


def pool_without_consumer(
    module: ModuleType, count: int, workers: int | None = None
) -> Callable[[str], None]:
    """The same pool, but nobody reads the futures as they complete: shutdown waits for all.

    The difference to :func:`pool` is what the ``as_completed`` loop costs:
    the reading thread wakes up for completions and takes the GIL each time.
    """

    def job(directory: str) -> None:
        with module.ThreadPoolExecutor(workers) as executor:
            for number in range(count):
                executor.submit(write_file, directory, number)

    return job


def raw_threads(count: int, threads: int = 2) -> Callable[[str], None]:
    """*threads* plain threads, each writing every *threads*-th file."""

    def job(directory: str) -> None:
        def write_share(first: int) -> None:
            for number in range(first, count, threads):
                write_file(directory, number)

        workers = [threading.Thread(target=write_share, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    return job
