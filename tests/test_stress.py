"""Stress: many threads submitting, cancelling, waiting and shutting down at once.

Written for the free-threaded builds (3.14t, 3.15t), where the pool's threads
really run at the same time, and run on every interpreter.  Each round makes a
pool, starts submitting threads that each do random things to their futures
(cancel, result with a short timeout, a done-callback, ``wait`` and
``as_completed`` over a batch) while a shutdown thread ends the pool at a
random moment, with or without ``cancel_futures``.  Then it checks that
nothing was lost and nothing ran twice:

- every future ``submit()`` returned is done, once the pool is shut down;
- a call ran exactly once if its future finished, never if it was cancelled,
  and its future holds its own result or exception;
- every done-callback ran exactly once;
- ``stats()`` adds up: submitted = completed + failed + cancelled, each equal
  to what the futures say, nothing queued or running.

Sizes: ``MINIPOOL_STRESS_CALLS`` calls in all (default 40,000: seconds);
``MINIPOOL_STRESS_CALLS=1000000 python -m nox -s stress-3.14t`` is the long
run.  Random choices come from ``MINIPOOL_STRESS_SEED`` (default: a new seed,
printed, so that a failure can be run again).
"""

from __future__ import annotations

import collections
import os
import random
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest

import minipool

CALLS = int(os.environ.get("MINIPOOL_STRESS_CALLS", "40000"))
SUBMITTERS = 6
CALLS_PER_ROUND = 20_000


class Expected(Exception):
    """What a call that is meant to fail raises."""


def call(ran: list[int], number: int) -> int:
    ran.append(number)  # list.append is atomic, with or without the GIL
    if number % 7 == 0:
        raise Expected(number)
    return number * 2


@dataclass
class Submitter:
    """What one submitting thread did."""

    seed: int
    futures: dict[int, minipool.Future[int]] = field(default_factory=dict)
    refused: int = 0
    callbacks: collections.Counter[int] = field(default_factory=collections.Counter)
    callbacks_added: set[int] = field(default_factory=set)
    errors: list[BaseException] = field(default_factory=list)


def submit_randomly(
    pool: minipool.ThreadPoolExecutor,
    me: Submitter,
    numbers: range,
    ran: list[int],
    callback_lock: threading.Lock,
    *,
    shut_down_at: int | None = None,
    shut_down: threading.Event | None = None,
) -> None:
    """Submit a call for each of *numbers*, doing random things to the futures.

    The submitter given *shut_down_at* sets *shut_down* once it has handed
    out that many calls: the moment the pool is shut down.
    """
    rng = random.Random(me.seed)
    batch: list[minipool.Future[int]] = []
    try:
        for handed, number in enumerate(numbers):
            if handed == shut_down_at and shut_down is not None:
                shut_down.set()
            try:
                future = pool.submit(call, ran, number)
            except RuntimeError:
                me.refused += 1  # shut down meanwhile: refused, nothing to check
                continue
            me.futures[number] = future
            batch.append(future)
            roll = rng.random()
            if roll < 0.15:
                future.cancel()
            elif roll < 0.25:
                me.callbacks_added.add(number)

                def count(f: minipool.Future[int], number: int = number) -> None:
                    with callback_lock:
                        me.callbacks[number] += 1

                future.add_done_callback(count)
            elif roll < 0.27:
                try:
                    future.result(timeout=rng.choice([0, 0.0001, 0.001]))
                except (minipool.TimeoutError, minipool.CancelledError, Expected):
                    pass
            if len(batch) >= 50:
                roll = rng.random()
                if roll < 0.3:
                    minipool.wait(batch, timeout=0.001, return_when=minipool.FIRST_COMPLETED)
                elif roll < 0.4:
                    minipool.wait(batch, timeout=0.001, return_when=minipool.FIRST_EXCEPTION)
                elif roll < 0.5:
                    try:
                        for _ in minipool.as_completed(batch, timeout=0.001):
                            pass
                    except minipool.TimeoutError:
                        pass
                batch = []
    except BaseException as error:  # reported by the test, not lost in a thread
        me.errors.append(error)


def assert_stats_add_up(stats: minipool.PoolStats, submitted: int, counts: dict[str, int]) -> None:
    """The stats extra counted exactly what the futures show."""
    assert stats.submitted == submitted
    assert (stats.completed, stats.failed, stats.cancelled) == (
        counts["completed"],
        counts["failed"],
        counts["cancelled"],
    )
    assert stats.queued == 0 and stats.running == 0
    assert stats.submitted == stats.completed + stats.failed + stats.cancelled


def run_round(seed: int, calls: int) -> dict[str, int]:
    rng = random.Random(seed)
    ran: list[int] = []
    callback_lock = threading.Lock()
    submitters = [Submitter(seed=rng.randrange(2**32)) for _ in range(SUBMITTERS)]
    # Half the rounds count with stats=True (the extra's counts must add
    # up too); the others run the plain pool, with no hooks at all.
    counting = rng.random() < 0.5
    pool = minipool.ThreadPoolExecutor(max_workers=rng.choice([1, 2, 4, 8]), stats=counting)
    share = calls // SUBMITTERS
    # The shutdown thread ends the pool, with or without cancelling, once the
    # first submitter has handed out a random share of its calls (the others
    # are wherever they are then), or after every call was submitted.
    cancel_futures = rng.random() < 0.5
    stop_after = rng.choice([0.2, 0.5, 0.9, None])
    shut_down_at = None if stop_after is None else int(share * stop_after)
    time_to_shut_down = threading.Event()
    threads = [
        threading.Thread(
            target=submit_randomly,
            args=(pool, me, range(n * share, (n + 1) * share), ran, callback_lock),
            kwargs={"shut_down_at": shut_down_at, "shut_down": time_to_shut_down} if n == 0 else {},
        )
        for n, me in enumerate(submitters)
    ]

    def shut_down() -> None:
        time_to_shut_down.wait()
        pool.shutdown(wait=False, cancel_futures=cancel_futures)

    stopper = threading.Thread(target=shut_down)
    stopper.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time_to_shut_down.set()  # if no submitter did
    stopper.join()
    pool.shutdown(wait=True)

    for me in submitters:
        assert not me.errors, me.errors
    futures = {n: f for me in submitters for n, f in me.futures.items()}
    times_ran = collections.Counter(ran)
    counts = collections.Counter()
    for number, future in futures.items():
        assert future.done(), (number, future)
        if future.cancelled():
            assert times_ran[number] == 0, (number, "cancelled, yet it ran")
            counts["cancelled"] += 1
            continue
        assert times_ran[number] == 1, (number, "ran %d times" % times_ran[number])
        if number % 7 == 0:
            error = future.exception(0)
            assert isinstance(error, Expected) and error.args == (number,)
            counts["failed"] += 1
        else:
            assert future.result(0) == number * 2
            counts["completed"] += 1
    assert set(times_ran) <= set(futures), "a call ran that no future stands for"
    for me in submitters:
        assert set(me.callbacks) == me.callbacks_added
        assert set(me.callbacks.values()) <= {1}, "a callback ran more than once"

    if counting:
        assert_stats_add_up(pool.stats(), len(futures), counts)
    counts["submitted"] = len(futures)
    counts["refused"] = sum(me.refused for me in submitters)
    counts["handed"] = share * SUBMITTERS
    return dict(counts)


@pytest.mark.timeout(max(120, CALLS // 2000))
def test_nothing_is_lost_nothing_runs_twice_and_stats_add_up(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed = int(os.environ.get("MINIPOOL_STRESS_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    total: collections.Counter[str] = collections.Counter()
    rounds = 0
    left = CALLS
    while left > 0:
        calls = min(CALLS_PER_ROUND, left)
        total.update(run_round(rng.randrange(2**32), calls))
        left -= calls
        rounds += 1
    with capsys.disabled():
        print(
            f"\nstress (seed {seed}): {rounds} rounds, {total['handed']} calls handed to submit():"
            f" {total['submitted']} accepted, {total['refused']} refused after shutdown;"
            f" {total['completed']} returned, {total['failed']} raised,"
            f" {total['cancelled']} cancelled; 0 lost, 0 run twice"
        )
    assert total["submitted"] + total["refused"] == total["handed"]
    assert total["submitted"] > 0 and total["completed"] > 0 and total["cancelled"] > 0


def test_the_stress_check_sees_a_call_that_runs_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    # The checker itself must fail on a pool that runs a call twice.
    real_submit = minipool.ThreadPoolExecutor.submit

    def submit_twice(self: Any, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        future = real_submit(self, fn, *args, **kwargs)
        if args and isinstance(args[-1], int) and args[-1] == 3:
            try:
                fn(*args, **kwargs)
            except Expected:
                pass
        return future

    monkeypatch.setattr(minipool.ThreadPoolExecutor, "submit", submit_twice)
    with pytest.raises(AssertionError, match=r"ran 2 times|cancelled, yet it ran"):
        run_round(seed=1, calls=600)
