"""The deadlock table: each deadlock shape in each setting, and how soon debug mode reports it.

    python -m benchmarks.deadlocks            # every setting, the Jupyter kernel included
    python -m benchmarks.deadlocks --json F   # and write the rows to F

A *shape* builds a deadlock on debug-mode pools and returns the wait that
can never end; a *setting* is how the main thread waits and what else runs:

- ``untimed``: the main thread waits with no timeout, nothing else runs;
- ``timed``: the main thread waits with a timeout of a minute;
- ``threads``: the main thread waits with no timeout while two unrelated
  threads run: a heartbeat that wakes every millisecond, and a "server"
  that holds the pool and blocks on an event;
- ``jupyter``: the shapes run in a real Jupyter kernel (ipykernel, started
  by jupyter_client), with the kernel's own threads (IOPub, heartbeat,
  control, history).

Each cell is "yes" and the seconds from the wait's start to its
DeadlockError, or "no" if the wait was still blocked after the limit.
tests/test_deadlock_table.py asserts the same cells.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any, Callable, Optional

import minipool

# How long a cell may take before it counts as "no": the bound is 1 s.
LIMIT = 5.0

Wait = Callable[[Optional[float]], Any]


class Made:
    """The pools and the outer futures a shape made: what a watchdog must end if
    debug mode does not (a "no" must not hang the table)."""

    def __init__(self) -> None:
        self.pools: list[minipool.ThreadPoolExecutor] = []
        self.futures: list[minipool.Future[Any]] = []

    def end_everything(self) -> None:
        """Cancel what is queued, fail what runs: every wait ends."""
        for pool in self.pools:
            pool.shutdown(wait=False, cancel_futures=True)
        for future in self.futures:
            try:
                future.set_exception(TimeoutError("ended by the watchdog"))
            except minipool.InvalidStateError:
                pass  # it ended


def _pool(made: Made, workers: int, name: str) -> minipool.ThreadPoolExecutor:
    pool = minipool.ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name, debug=True)
    made.pools.append(pool)
    return pool


def _ring(places: list[minipool.ThreadPoolExecutor], made: Made) -> list[minipool.Future[Any]]:
    """Call i waits for call i + 1, the last for the first (all submitted first)."""
    futures = made.futures
    all_submitted = threading.Event()

    def wait_for(index: int) -> Any:
        all_submitted.wait()
        return futures[index].result()

    for i, pool in enumerate(places):
        futures.append(pool.submit(wait_for, (i + 1) % len(places)))
    all_submitted.set()
    return futures


def seed_pair(made: Made) -> Wait:
    """The seed's first deadlock: a waits for b, b waits for a (two workers)."""
    pool = _pool(made, 2, "pair")
    a, _b = _ring([pool, pool], made)
    return a.result


def seed_nested(made: Made) -> Wait:
    """The seed's second: a one-worker pool whose task submits to it and waits."""
    pool = _pool(made, 1, "nested")

    def wait_on_future() -> int:
        f = pool.submit(pow, 5, 2)
        return f.result()

    made.futures.append(pool.submit(wait_on_future))
    return made.futures[0].result


def three_cycle(made: Made) -> Wait:
    """Three tasks, each waiting for the next."""
    pool = _pool(made, 3, "three")
    return _ring([pool, pool, pool], made)[0].result


def cross_pool(made: Made) -> Wait:
    """A task of pool L waits for one of pool R, which waits for one of L."""
    return _ring([_pool(made, 1, "left"), _pool(made, 1, "right")], made)[0].result


def nested_map(made: Made) -> Wait:
    """Both workers run a task that maps over the same pool (queued behind them)."""
    pool = _pool(made, 2, "map")
    both_running = threading.Barrier(2)

    def outer(n: int) -> int:
        both_running.wait()
        return sum(pool.map(abs, range(n)))

    def wait(timeout: float | None) -> Any:
        return list(pool.map(outer, [3, 4], timeout=timeout))

    return wait


def wait_in_full_pool(made: Made) -> Wait:
    """The only worker's task waits (``minipool.wait``) for calls queued behind it."""
    pool = _pool(made, 1, "full")

    def outer() -> int:
        done, _ = minipool.wait([pool.submit(abs, -n) for n in range(3)])
        return len(done)

    made.futures.append(pool.submit(outer))
    return made.futures[0].result


SHAPES: dict[str, Callable[[Made], Wait]] = {
    "seed: a and b wait for each other": seed_pair,
    "seed: a one-worker pool's task submits and waits": seed_nested,
    "three-task cycle": three_cycle,
    "cross-pool cycle": cross_pool,
    "nested map in a full pool": nested_map,
    "wait() in a full pool": wait_in_full_pool,
}


class UnrelatedThreads:
    """A heartbeat that wakes every millisecond, and a server blocked on an event
    that holds the pools: threads a real program has, which touch no future."""

    def __init__(self, pools: list[minipool.ThreadPoolExecutor]) -> None:
        self._stop = threading.Event()
        self.beats = 0

        def heartbeat() -> None:
            while not self._stop.wait(0.001):
                self.beats += 1

        def serve(pools: list[minipool.ThreadPoolExecutor]) -> None:
            self._stop.wait()  # a server's accept(), say
            assert pools is not None

        self._threads = [
            threading.Thread(target=heartbeat, name="heartbeat"),
            threading.Thread(target=serve, args=(pools,), name="server"),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


class _Cell:
    """The cell being run: what it made and the wait it does.

    Kept in this module's globals, as a program keeps its futures (the
    seed's ``a`` and ``b`` are globals): the main thread's own variables
    hold none of them.  A thread that holds a running call's future as a
    variable of its own might still call ``set_result()`` on it, so debug
    mode does not report a cycle such a thread could end (see the limits).
    """

    made = Made()
    wait: Wait | None = None


_cell = _Cell()


def run_cell(shape: Callable[[Made], Wait], setting: str) -> float | None:
    """Build *shape* and wait in this thread as *setting* says; the seconds to the
    DeadlockError, or None if none came.

    A watchdog thread ends a wait still blocked after LIMIT (a "no") by
    cancelling and failing everything the shape made.
    """
    _cell.made = Made()
    others = UnrelatedThreads(_cell.made.pools) if setting == "threads" else None
    settled = threading.Event()

    def watchdog() -> None:
        if not settled.wait(LIMIT):
            _cell.made.end_everything()

    guard = threading.Thread(target=watchdog, name="watchdog")
    guard.start()
    seconds: float | None = None
    try:
        _cell.wait = shape(_cell.made)
        start = time.perf_counter()
        try:
            _cell.wait(60.0 if setting == "timed" else None)
        except minipool.DeadlockError:
            seconds = time.perf_counter() - start
        except BaseException:
            pass
    finally:
        settled.set()
        guard.join()
        for pool in _cell.made.pools:
            pool.shutdown(wait=False, cancel_futures=True)
        if others is not None:
            others.stop()
        _cell.made, _cell.wait = Made(), None
    return seconds


def measure_here(setting: str) -> dict[str, float | None]:
    """Every shape in *setting* (untimed, timed or threads), in this thread."""
    return {name: run_cell(shape, setting) for name, shape in SHAPES.items()}


KERNEL_CODE = """
import json, sys
sys.path.insert(0, %r)
from benchmarks import deadlocks
print("ROW" + json.dumps(deadlocks.measure_here("untimed")))
"""


def measure_jupyter() -> dict[str, float | None]:
    """Run KERNEL_CODE (measure_here("untimed")) in a fresh ipykernel; the row it prints."""
    import os

    from jupyter_client.manager import start_new_kernel  # type: ignore[import-not-found]

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reply_output: list[str] = []

        def keep(message: dict[str, Any]) -> None:
            if message["header"]["msg_type"] == "stream":
                reply_output.append(message["content"]["text"])

        client.execute_interactive(KERNEL_CODE % root, timeout=120, output_hook=keep)
        text = "".join(reply_output)
        line = next(line for line in text.splitlines() if line.startswith("ROW"))
        return json.loads(line[3:])  # type: ignore[no-any-return]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def table(rows: dict[str, dict[str, float | None]]) -> str:
    settings = list(rows)
    lines = ["| shape | " + " | ".join(settings) + " |", "|---" * (len(settings) + 1) + "|"]
    for name in SHAPES:
        cells = []
        for setting in settings:
            seconds = rows[setting].get(name)
            cells.append("no" if seconds is None else "yes, %.3f s" % seconds)
        lines.append("| %s | %s |" % (name, " | ".join(cells)))
    return "\n".join(lines)


# The table's words in the docs' other language (docs/diagnostics.rst).
KOREAN = {
    "seed: a and b wait for each other": "씨앗: a 와 b 가 서로를 기다림",
    "seed: a one-worker pool's task submits and waits": (
        "씨앗: 쓰레드 하나짜리 풀의 작업이 제출하고 기다림"
    ),
    "three-task cycle": "작업 세 개의 순환",
    "cross-pool cycle": "두 풀에 걸친 순환",
    "nested map in a full pool": "가득 찬 풀 안의 중첩 map",
    "wait() in a full pool": "가득 찬 풀 안의 wait()",
    "shape": "모양",
    "untimed": "시간 제한 없음",
    "timed": "시간 제한",
    "threads": "다른 쓰레드들",
    "jupyter": "Jupyter 커널",
    "yes": "예",
    "no": "아니오",
    "caption": "Python %s: DeadlockError 여부와, 대기 시작부터 그때까지의 초",
}


def html_table(report: dict[str, Any], language: str = "en") -> str:
    """A report written by --json, as a raw HTML table for the docs (in *language*: en, ko).

    Raw HTML, not reStructuredText: gettext leaves it alone, and each
    build writes it in its own language (docs/conf.py).
    """
    import html

    def word(text: str) -> str:
        return html.escape(KOREAN.get(text, text) if language == "ko" else text)

    rows = report["rows"]
    settings = list(rows)
    caption = (
        KOREAN["caption"]
        if language == "ko"
        else ("Python %s: DeadlockError, and seconds from the wait to it")
    )
    lines = [
        ".. raw:: html",
        "",
        '   <table class="docutils align-default"><caption>%s</caption>'
        % html.escape(caption % report["python"]),
        "   <thead><tr><th>%s</th>%s</tr></thead><tbody>"
        % (word("shape"), "".join("<th>%s</th>" % word(s) for s in settings)),
    ]
    for name in SHAPES:
        cells = []
        for setting in settings:
            seconds = rows[setting].get(name)
            cells.append(word("no") if seconds is None else "%s, %.3f s" % (word("yes"), seconds))
        lines.append(
            "   <tr><td>%s</td>%s</tr>" % (word(name), "".join("<td>%s</td>" % c for c in cells))
        )
    lines.append("   </tbody></table>")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the rows to this file")
    parser.add_argument("--no-jupyter", action="store_true", help="leave the kernel out")
    args = parser.parse_args(argv)
    rows = {setting: measure_here(setting) for setting in ("untimed", "timed", "threads")}
    if not args.no_jupyter:
        rows["jupyter"] = measure_jupyter()
    print("Python %s, %s" % (sys.version.split()[0], minipool.debug._detector.summary()))
    print(table(rows))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"python": sys.version.split()[0], "rows": rows}, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
