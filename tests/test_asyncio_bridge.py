"""minipool.asyncio: awaiting minipool futures, with cancellation from both sides."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from typing import Any, Callable

import pytest

import minipool
from conftest import PROMPTLY, Gate
from minipool.asyncio import run_in_executor, wrap_future


def run(coroutine: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coroutine, PROMPTLY))


def test_asyncios_own_bridges_refuse_minipool() -> None:
    # Why minipool.asyncio exists: these are asyncio's type checks, not ours.
    async def main() -> list[str]:
        loop = asyncio.get_running_loop()
        refused = []
        with minipool.ThreadPoolExecutor(1) as pool:
            attempts: list[Callable[[], object]] = [
                lambda: asyncio.wrap_future(pool.submit(abs, -1)),  # type: ignore[arg-type]
                lambda: loop.run_in_executor(pool, abs, -1),  # type: ignore[arg-type]
            ]
            for attempt in attempts:
                try:
                    attempt()
                except AssertionError as exc:
                    refused.append(str(exc).split(",")[0])
        return refused

    assert run(main()) == ["concurrent.futures.Future is expected"] * 2


def test_await_a_result_and_an_exception() -> None:
    async def main() -> tuple[Any, Any]:
        with minipool.ThreadPoolExecutor(2) as pool:
            result = await run_in_executor(pool, pow, 2, 10)
            with pytest.raises(ZeroDivisionError):
                await wrap_future(pool.submit(divmod, 1, 0))
            keywords = await run_in_executor(pool, int, "ff", base=16)
        return result, keywords

    assert run(main()) == (1024, 255)


def test_many_awaits_at_once_with_gather() -> None:
    async def main() -> list[int]:
        with minipool.ThreadPoolExecutor(4) as pool:
            return list(await asyncio.gather(*(run_in_executor(pool, abs, -n) for n in range(200))))

    assert run(main()) == list(range(200))


def test_cancelling_the_asyncio_side_cancels_a_queued_call() -> None:
    gate = Gate()

    async def main() -> tuple[bool, bool]:
        with minipool.ThreadPoolExecutor(1) as pool:
            blocker = pool.submit(gate.task, "blocker")
            gate.wait_started("blocker")
            queued = pool.submit(gate.task, "never")
            awaitable = wrap_future(queued)

            async def awaiting() -> Any:
                return await awaitable

            task = asyncio.ensure_future(awaiting())
            await asyncio.sleep(0)  # one turn of the loop: the task starts awaiting
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The cancel reaches the minipool future through a done-callback
            # that the loop runs on a later turn, as in asyncio's own
            # chaining: wait for it to arrive before the worker is freed.
            observer = wrap_future(queued)
            await asyncio.wait({observer}, timeout=PROMPTLY)
            gate.open_all()
            await wrap_future(blocker)
            return queued.cancelled(), awaitable.cancelled()

    assert run(main()) == (True, True)
    assert gate.ran == ["blocker"]


def test_cancelling_the_minipool_side_cancels_the_awaiting_coroutine() -> None:
    gate = Gate()

    async def main() -> str:
        with minipool.ThreadPoolExecutor(1) as pool:
            pool.submit(gate.task, "blocker")
            gate.wait_started("blocker")
            queued = pool.submit(gate.task, "never")
            awaitable = wrap_future(queued)
            # shutdown(cancel_futures=True) from another thread, as a server would.
            stopper = threading.Thread(
                target=pool.shutdown, kwargs={"wait": False, "cancel_futures": True}
            )
            stopper.start()
            # asyncio.wait, not await: a timeout here must not cancel the
            # awaitable itself, which would pass for the outcome tested.
            done, _ = await asyncio.wait({awaitable}, timeout=PROMPTLY)
            outcome = "cancelled" if done and awaitable.cancelled() else "not cancelled"
            stopper.join(PROMPTLY)
            gate.open_all()
            return outcome

    assert run(main()) == "cancelled"


def test_a_running_call_cannot_be_stopped_but_the_awaiter_is() -> None:
    gate = Gate()

    async def main() -> tuple[bool, Any]:
        with minipool.ThreadPoolExecutor(1) as pool:
            running = pool.submit(gate.task, "running")
            gate.wait_started("running")
            awaitable = wrap_future(running)
            awaitable.cancel()
            gate.open_all()
            return awaitable.cancelled(), await wrap_future(running)

    assert run(main()) == (True, "running")


def test_minipools_errors_arrive_as_asyncios() -> None:
    async def main() -> list[type[BaseException]]:
        arrived = []
        for error in (minipool.CancelledError, minipool.InvalidStateError, minipool.TimeoutError):
            future: minipool.Future[None] = minipool.Future()
            future.set_exception(error("raised by the call"))
            try:
                await wrap_future(future)
            except BaseException as exc:
                arrived.append(type(exc))
        return arrived

    assert run(main()) == [
        asyncio.CancelledError,
        asyncio.InvalidStateError,
        asyncio.TimeoutError,
    ]


def test_a_closed_loop_drops_the_result_quietly(futures_log: Any) -> None:
    future: minipool.Future[int] = minipool.Future()

    async def main() -> None:
        wrap_future(future)

    asyncio.run(main())  # the loop is closed when this returns
    future.set_result(1)
    assert futures_log.summary() == []  # no callback error was logged


def test_other_futures_pass_through() -> None:
    async def main() -> tuple[bool, int]:
        loop = asyncio.get_running_loop()
        own = loop.create_future()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            theirs: int = await wrap_future(pool.submit(abs, -7))  # asyncio.wrap_future's job
            stdlib_result = await run_in_executor(pool, abs, -7)
        return wrap_future(own) is own, theirs + stdlib_result

    assert run(main()) == (True, 14)
