"""map(..., buffersize=N): Python 3.14's parameter, on every version.

Before 3.14 the standard library has no buffersize to compare with, so these
tests state 3.14's documented behaviour.  Where the running standard library
has the parameter, the tests marked ``both`` run on it too: the same
assertions hold for both implementations.
"""

from __future__ import annotations

import concurrent.futures
import gc
import inspect
import itertools
import threading
import tracemalloc
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import minipool
from conftest import PROMPTLY, Gate, error_of

STDLIB_MAP = inspect.signature(concurrent.futures.Executor.map)
STDLIB_HAS_BUFFERSIZE = "buffersize" in STDLIB_MAP.parameters
WITH_BUFFERSIZE = {"minipool": minipool}
if STDLIB_HAS_BUFFERSIZE:
    WITH_BUFFERSIZE["stdlib"] = concurrent.futures


@pytest.fixture(params=list(WITH_BUFFERSIZE))
def both(request: pytest.FixtureRequest) -> ModuleType:
    """minipool, and the standard library where it has buffersize (3.14+)."""
    return WITH_BUFFERSIZE[request.param]


class CountingInputs:
    """An input iterator that counts how many items were read from it."""

    def __init__(self, limit: int | None = None) -> None:
        self.read = 0
        self._numbers = itertools.count() if limit is None else iter(range(limit))

    def __iter__(self) -> Iterator[int]:
        return self

    def __next__(self) -> int:
        value = next(self._numbers)
        self.read += 1
        return value


@pytest.mark.parametrize("buffersize", [1, 2, 4, 8])
def test_results_are_maps_results_in_order(both: ModuleType, buffersize: int) -> None:
    with both.ThreadPoolExecutor(max_workers=3) as pool:
        assert list(pool.map(str, range(4), buffersize=buffersize)) == ["0", "1", "2", "3"]
        assert list(pool.map(pow, range(5), range(5), buffersize=buffersize)) == [
            pow(n, n) for n in range(5)
        ]
        assert list(pool.map(str, [], buffersize=buffersize)) == []


def test_inputs_are_read_lazily_n_ahead(both: ModuleType) -> None:
    inputs = CountingInputs()
    with both.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(abs, inputs, buffersize=3)
        assert inputs.read == 3  # the first N, at the call
        for expected in range(5):
            assert next(results) == expected
            # Each next() reads and submits one more before it waits.
            assert inputs.read == 3 + expected + 1
        results.close()


def test_an_infinite_iterator_works(both: ModuleType) -> None:
    with both.ThreadPoolExecutor(max_workers=2) as pool:
        squares = pool.map(lambda n: n * n, itertools.count(), buffersize=4)
        assert list(itertools.islice(squares, 50)) == [n * n for n in range(50)]
        squares.close()


def test_calls_in_flight_never_exceed_buffersize_plus_one(both: ModuleType) -> None:
    # N are submitted at the call; each next() submits one before it takes
    # one, so at most N + 1 calls are ever submitted and not yet yielded.
    lock = threading.Lock()
    in_flight = 0
    most = 0

    def note(n: int) -> int:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        return n

    with both.ThreadPoolExecutor(max_workers=4) as pool:
        for value in pool.map(note, range(200), buffersize=5):
            assert value >= 0
            with lock:
                in_flight -= 1
    assert 1 <= most <= 6


def test_closing_early_cancels_the_buffered_calls_not_started(both: ModuleType) -> None:
    gate = Gate()
    inputs = CountingInputs()
    with both.ThreadPoolExecutor(max_workers=1) as pool:
        blocker = pool.submit(gate.task, "blocker")
        gate.wait_started("blocker")
        results = pool.map(abs, inputs, buffersize=3)
        assert inputs.read == 3
        results.close()  # before any next(): the three queued calls are cancelled
        gate.open_all()
        assert blocker.result(PROMPTLY) == "blocker"
    assert inputs.read == 3
    assert gate.ran == ["blocker"]


def test_an_exception_ends_the_iteration_and_cancels_the_rest(both: ModuleType) -> None:
    def invert(n: int) -> float:
        return 1 / n

    inputs = CountingInputs()
    with both.ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.map(invert, itertools.chain([0], inputs), buffersize=2)
        with pytest.raises(ZeroDivisionError):
            next(results)
        with pytest.raises(StopIteration):
            next(results)
    assert inputs.read <= 2  # nothing more was read after the failure


def test_the_timeout_runs_from_the_call(both: ModuleType) -> None:
    gate = Gate()
    with both.ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.map(gate.task, itertools.count(), timeout=0.05, buffersize=2)
        with pytest.raises(both.TimeoutError):
            next(results)
        gate.open_all()


def test_a_garbage_collected_executor_stops_the_submitting(both: ModuleType) -> None:
    # The iterator holds the executor only weakly: once the executor is
    # gone, the calls already submitted are still yielded, and no more.
    inputs = CountingInputs()
    pool = both.ThreadPoolExecutor(max_workers=2)
    results = pool.map(abs, inputs, buffersize=3)
    threads = list(pool._threads)
    del pool
    gc.collect()
    assert list(results) == [0, 1, 2]
    assert inputs.read == 3
    for thread in threads:
        thread.join(PROMPTLY)


def test_once_started_the_iterator_keeps_the_executor_until_it_ends(both: ModuleType) -> None:
    # 3.14's map() holds the executor it last submitted to between two
    # results: a pool dropped after the first next() still gets every input.
    inputs = CountingInputs(limit=6)
    pool = both.ThreadPoolExecutor(max_workers=2)
    results = pool.map(abs, inputs, buffersize=2)
    threads = list(pool._threads)
    assert next(results) == 0
    del pool
    gc.collect()
    assert list(results) == [1, 2, 3, 4, 5]
    assert inputs.read == 6
    del results
    gc.collect()  # the pool goes with the iterator, and its workers exit
    for thread in threads:
        thread.join(PROMPTLY)
        assert not thread.is_alive()


@pytest.mark.parametrize(
    ("buffersize", "error"),
    [
        ("foo", ("TypeError", "buffersize must be an integer or None")),
        (2.0, ("TypeError", "buffersize must be an integer or None")),
        (0, ("ValueError", "buffersize must be None or > 0")),
        (-1, ("ValueError", "buffersize must be None or > 0")),
    ],
)
def test_a_bad_buffersize_gets_314s_error_and_submits_nothing(
    both: ModuleType, buffersize: Any, error: tuple[str, str]
) -> None:
    inputs = CountingInputs()
    with both.ThreadPoolExecutor(max_workers=1) as pool:
        assert error_of(lambda: pool.map(abs, inputs, buffersize=buffersize)) == error
    assert inputs.read == 0


def test_buffersize_none_is_the_classic_map_that_reads_everything(both: ModuleType) -> None:
    inputs = CountingInputs(limit=100)
    with both.ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(abs, inputs, buffersize=None)
        assert inputs.read == 100
        assert list(results) == list(range(100))


def peak_memory_of_map(module: ModuleType, inputs: int, buffersize: int | None) -> int:
    """Peak bytes allocated (tracemalloc) while map() runs over *inputs* no-op calls."""
    with module.ThreadPoolExecutor(max_workers=2) as pool:
        gc.collect()
        tracemalloc.start()
        try:
            for _ in pool.map(abs, range(inputs), buffersize=buffersize):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_peak_memory_stays_flat_with_buffersize() -> None:
    # A memory bound, not a timing: 10x the inputs must not need more memory.
    # (benchmarks/ measures it over 10^6 inputs against the standard library.)
    small = peak_memory_of_map(minipool, 2_000, buffersize=8)
    large = peak_memory_of_map(minipool, 20_000, buffersize=8)
    unbuffered = peak_memory_of_map(minipool, 20_000, buffersize=None)
    assert large < small * 2
    # Unbuffered, all 20,000 futures are alive at once.  (Not "10x": on a
    # free-threaded build memory freed in one thread may be reclaimed later,
    # which lifts the buffered peak; 8.7x was seen on 3.14t, 40x with the GIL.)
    assert unbuffered > large * 5
