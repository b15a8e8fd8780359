"""Type-checked by mypy --strict in the lint session; never run.

Lines marked "type: ignore[code]" must be type errors: strict mode warns about
an unused ignore, so if submit() or map() stopped checking their arguments, or
Future stopped being generic, mypy would fail here.
"""

from __future__ import annotations

from typing import Iterator

from minipool import Future, ThreadPoolExecutor, as_completed, wait


def scale(value: int, *, factor: float = 1.0) -> float:
    return value * factor


def check(pool: ThreadPoolExecutor) -> None:
    # submit() checks fn's arguments (ParamSpec) and keeps its return type.
    future: Future[float] = pool.submit(scale, 2, factor=0.5)
    pool.submit(scale, "two")  # type: ignore[arg-type]
    pool.submit(scale, 2, scale=3)  # type: ignore[call-arg]
    wrong: Future[str] = pool.submit(scale, 2)  # type: ignore[arg-type]

    # result() has the future's type.
    total: float = future.result(timeout=1.0)
    text: str = future.result()  # type: ignore[assignment]

    # map(), as_completed() and wait() keep the element type.
    results: Iterator[float] = pool.map(scale, [1, 2, 3])
    for done in as_completed([future]):
        value: float = done.result()
    finished = wait([future]).done
    first: Future[float] = finished.pop()
    del wrong, total, text, results, value, first
