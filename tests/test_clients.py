"""Real clients of an executor, with the real packages: tqdm, dask, dask.distributed.

Test-only dependencies (the ``clients`` extra); a test is skipped where its
package does not install on the running Python.  asyncio, the fourth
client, has its own file (test_asyncio_bridge.py).
"""

from __future__ import annotations

import concurrent.futures
import io
import logging
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

import minipool
from conftest import PROMPTLY, Gate

# -- tqdm --------------------------------------------------------------------


def test_tqdm_shows_progress_over_as_completed(monkeypatch: pytest.MonkeyPatch) -> None:
    tqdm = pytest.importorskip("tqdm").tqdm
    # No monitor thread: it would outlive the test.
    monkeypatch.setattr(tqdm, "monitor_interval", 0)
    gate = Gate()
    shown = io.StringIO()
    with minipool.ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(gate.task, n) for n in range(40)]
        # Redraw on every item.
        bar = tqdm(
            minipool.as_completed(futures),
            total=len(futures),
            file=shown,
            mininterval=0,
            miniters=1,
            delay=0,
        )
        results = []
        gate.open(0)
        for count, future in enumerate(bar, start=1):
            assert bar.n == count - 1  # tqdm counts an item once the loop body ends
            results.append(future.result())
            gate.open(count)  # the next call may finish only now: one at a time
        bar.close()
    assert sorted(results) == list(range(40))
    assert bar.n == 40
    assert "40/40" in shown.getvalue()


# -- dask's local scheduler ----------------------------------------------------


@pytest.fixture
def dask() -> Any:
    return pytest.importorskip("dask")


def graph(dask: Any) -> Any:
    """A small dask.delayed graph: sum of squares, with a shared intermediate."""
    square = dask.delayed(lambda n: n * n)
    total = dask.delayed(sum)([square(n) for n in range(50)])
    return total, dask.delayed(max)([square(n) for n in range(50)])


@pytest.mark.parametrize("impl_name", ["stdlib", "minipool"])
def test_dask_computes_on_a_pool_given_as_pool(dask: Any, impl_name: str) -> None:
    impl = concurrent.futures if impl_name == "stdlib" else minipool
    with impl.ThreadPoolExecutor(3) as pool:
        results = dask.compute(*graph(dask), scheduler="threads", pool=pool)
        with dask.config.set(pool=pool):
            again = dask.compute(*graph(dask), scheduler="threads")
    assert results == again == (sum(n * n for n in range(50)), 49 * 49)
    if impl is minipool:
        assert pool.stats().submitted > 0  # the calls really ran on minipool's pool


def test_dask_bag_on_a_minipool_pool(dask: Any) -> None:
    bag = pytest.importorskip("dask.bag")
    with minipool.ThreadPoolExecutor(2) as pool:
        words = bag.from_sequence(["a", "bb", "ccc"] * 100, npartitions=6)
        lengths = words.map(len).frequencies().compute(scheduler="threads", pool=pool)
        assert pool.stats().completed >= 6
    assert sorted(lengths) == [(1, 100), (2, 100), (3, 100)]


def test_dask_refuses_a_minipool_pool_as_the_scheduler_itself(dask: Any) -> None:
    # dask.compute(..., scheduler=pool) checks isinstance(pool,
    # concurrent.futures.Executor); minipool never subclasses the standard
    # library's classes.  Documented (docs/extensions.rst), with the forms
    # that work: pool=pool, or dask.config.set(pool=pool).
    with concurrent.futures.ThreadPoolExecutor(2) as stdlib_pool:
        assert dask.compute(*graph(dask), scheduler=stdlib_pool)[1] == 49 * 49
    with minipool.ThreadPoolExecutor(2) as pool, pytest.raises(ValueError, match="Unexpected"):
        dask.compute(*graph(dask), scheduler=pool)


# -- dask.distributed -----------------------------------------------------------


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    """One local, in-process cluster (loopback only) for this module's tests."""
    distributed = pytest.importorskip("distributed")
    from tests.clients.dask_pool import LOCAL_ONLY

    # One worker thread, started now by a first call, so that no test sees
    # a thread of it start (and flags it as left behind).
    client = distributed.Client(n_workers=1, threads_per_worker=1, **LOCAL_ONLY)
    client.get_executor().submit(abs, -1).result(PROMPTLY)
    try:
        yield client
    finally:
        client.close()


def test_minipool_waits_on_dask_futures_mixed_with_its_own(dask_client: Any) -> None:
    executor = dask_client.get_executor(pure=False)
    gate = Gate()
    with minipool.ThreadPoolExecutor(2) as pool:
        theirs = [executor.submit(pow, 2, n) for n in range(8)]
        ours = [pool.submit(gate.task, n) for n in range(2)]
        assert all(isinstance(f, concurrent.futures.Future) for f in theirs)
        done, _ = minipool.wait(theirs + ours, timeout=PROMPTLY, return_when="FIRST_COMPLETED")
        assert done and done <= set(theirs)
        finished = minipool.wait(theirs, timeout=PROMPTLY)
        assert finished.not_done == set()
        gate.open_all()
        results = sorted(f.result() for f in minipool.as_completed(theirs + ours, timeout=PROMPTLY))
    assert results == sorted([2**n for n in range(8)] + [0, 1])
    assert all(not f._waiters for f in theirs)  # no waiter left behind


def tour_settings() -> Any:
    return SimpleNamespace(unit=0.03, files=100, directory=None, lang="en", trace=None)


def test_the_tour_compares_dask_with_the_standard_library(dask_client: Any) -> None:
    # The same program (the tour's steps) on concurrent.futures and on
    # dask.distributed's executor (tests/clients/dask_pool.py), compared by
    # the tour's engine.
    from tests.clients import dask_pool

    from minipool.tour.engine import run_step
    from minipool.tour.steps import STEPS

    implementations = {"concurrent.futures": concurrent.futures, "dask": dask_pool}
    steps = {step.name: step for step in STEPS}
    logging.getLogger("distributed").setLevel(logging.CRITICAL)  # compute errors are expected
    verdicts = {}
    for name in ("order", "wait", "sync"):
        report = run_step(steps[name], implementations, tour_settings())
        verdicts[name] = report.same_as_reference("dask")
        if name == "sync":
            raised = report.observations["dask"].behaviour.get("step raised", "")
    # Results in completion order and in input order, and wait()'s three
    # return_when, are the standard library's.
    assert verdicts["order"] and verdicts["wait"]
    # A call that closes over a lock cannot go: dask pickles every call, even
    # in one process.  The step the seed began with diverges for that reason.
    assert not verdicts["sync"]
    assert "Could not serialize" in raised
    assert threading.active_count() < 50
