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


def check_extensions(pool: ThreadPoolExecutor) -> None:
    # wait() and as_completed() accept concurrent.futures futures too, and
    # keep the result type across both kinds.
    import asyncio
    import concurrent.futures

    from minipool.asyncio import run_in_executor, wrap_future

    theirs: concurrent.futures.Future[float] = concurrent.futures.Future()
    ours: Future[float] = pool.submit(scale, 1)
    mixed: list[Future[float] | concurrent.futures.Future[float]] = [ours, theirs]
    for either in as_completed(mixed):
        number: float = either.result()
        wrong: str = either.result()  # type: ignore[assignment]
    done = wait(mixed).done
    only_ours: Future[float] = wait([ours]).done.pop()  # no mixing: minipool's futures

    # map(buffersize=...) on every version; the bounded pool's options.
    buffered: Iterator[float] = pool.map(scale, [1, 2], buffersize=2)
    ThreadPoolExecutor(2, max_pending=4, on_full="caller_runs", copy_context=True)
    ThreadPoolExecutor(2, max_pending=4, on_full="drop")  # type: ignore[arg-type]

    # The asyncio bridge keeps the result type.
    async def bridge() -> None:
        awaited: float = await wrap_future(ours)
        also: float = await run_in_executor(pool, scale, 2, factor=2.0)
        await run_in_executor(pool, scale, "two")  # type: ignore[arg-type]
        of_theirs: float = await wrap_future(theirs)
        del awaited, also, of_theirs

    asyncio.run(bridge())
    del number, wrong, done, only_ours, buffered


def check_dropin() -> None:
    # minipool.dropin's classes are the standard library's for type checkers too:
    # asyncio.wrap_future() and concurrent.futures.wait() take its futures.
    import asyncio
    import concurrent.futures

    import minipool.dropin

    with minipool.dropin.ThreadPoolExecutor(2) as pool:
        future = pool.submit(scale, 2)
        theirs: concurrent.futures.Future[float] = future
        ours: Future[float] = future
        executor: concurrent.futures.Executor = pool
        done = concurrent.futures.wait([future]).done
        awaitable: asyncio.Future[float] = asyncio.wrap_future(future)
        pool.submit(scale, "two")  # type: ignore[arg-type]
        del theirs, ours, executor, done, awaitable
