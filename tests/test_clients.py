"""Real clients of an executor, with the real packages: tqdm, dask, dask.distributed.

Test-only dependencies (the ``clients`` extra); a test is skipped where its
package does not install on the running Python.  asyncio, the fourth
client, has its own file (test_asyncio_bridge.py).
"""

from __future__ import annotations

import concurrent.futures
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import minipool
from conftest import Gate

ROOT = Path(__file__).resolve().parent.parent
# Not named test_*.py: collected only when named, by the test at the end.
DISTRIBUTED_TESTS = "tests/clients/distributed_checks.py"

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
    with impl.ThreadPoolExecutor(3, **({"stats": True} if impl is minipool else {})) as pool:
        results = dask.compute(*graph(dask), scheduler="threads", pool=pool)
        with dask.config.set(pool=pool):
            again = dask.compute(*graph(dask), scheduler="threads")
    assert results == again == (sum(n * n for n in range(50)), 49 * 49)
    if impl is minipool:
        assert pool.stats().submitted > 0  # the calls really ran on minipool's pool


def test_dask_bag_on_a_minipool_pool(dask: Any) -> None:
    bag = pytest.importorskip("dask.bag")
    with minipool.ThreadPoolExecutor(2, stats=True) as pool:
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


@pytest.mark.timeout(600)  # a child pytest: several local clusters, and the equivalence suite
def test_dask_distributed_in_a_process_of_its_own() -> None:
    # dask.distributed starts global threads that outlive every Client (its
    # "Dask-Offload" pool).  A thread that never ends would hold back debug
    # mode's deadlock detector in every later test (it reports a deadlock
    # only once no thread could act), so these tests run in a child process.
    pytest.importorskip("distributed")
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", DISTRIBUTED_TESTS],
        capture_output=True,
        text=True,
        timeout=540,
        cwd=ROOT,
    )
    summary = child.stdout.strip().splitlines()[-1] if child.stdout.strip() else ""
    assert child.returncode == 0, child.stdout[-4000:] + child.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary, summary
