"""minipool.dropin where code expects concurrent.futures: the tables of issues 18 and 21.

Each test runs one scenario on the standard library and on ``minipool.dropin``
(the ``api`` fixture) and compares what it observes; the drop-in must also
have run the calls on minipool's own machinery.  The default classes
(``from minipool import ...``) are built from scratch and refused by these
checks on purpose; the tests at the end pin what they do instead
(docs/dropin.rst, docs/differences.rst).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import concurrent.futures.thread
import sys
import threading
from types import ModuleType
from typing import Any, Callable

import pytest

import minipool
import minipool.dropin
import minipool.future
import minipool.thread_pool
from conftest import PROMPTLY, Gate

APIS = {"stdlib": concurrent.futures, "dropin": minipool.dropin}


@pytest.fixture(params=list(APIS), ids=list(APIS))
def api(request: pytest.FixtureRequest) -> ModuleType:
    return APIS[request.param]


def ran_on_minipool(api: ModuleType, pool: Any) -> None:
    """For the drop-in: its calls ran in minipool's workers, with minipool's futures."""
    if api is minipool.dropin:
        assert isinstance(pool, minipool.thread_pool.ThreadPoolExecutor)
        assert pool._threads  # minipool's workers were started
        assert isinstance(pool.submit(int), minipool.future.Future)


def on_both(scenario: Callable[[ModuleType], Any]) -> Any:
    stdlib, dropin = scenario(concurrent.futures), scenario(minipool.dropin)
    assert dropin == stdlib
    return dropin


# -- issue 18: the places that take an executor or a future -------------------------------


def test_the_drop_in_classes_pass_the_standard_librarys_type_checks() -> None:
    with minipool.dropin.ThreadPoolExecutor(1) as pool:
        future = pool.submit(pow, 2, 3)
        assert isinstance(pool, concurrent.futures.ThreadPoolExecutor)
        assert isinstance(pool, concurrent.futures.Executor)
        assert isinstance(future, concurrent.futures.Future)
        # ... and they are minipool's classes, whose methods run.
        assert isinstance(pool, minipool.ThreadPoolExecutor)
        assert isinstance(future, minipool.Future)
        assert type(future).result is minipool.Future.result
        assert future.result(PROMPTLY) == 8
    assert issubclass(minipool.dropin.Executor, concurrent.futures.Executor)


def test_loop_run_in_executor(api: ModuleType) -> None:
    async def main(pool: Any) -> tuple[int, str]:
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(pool, pow, 2, 10)
        thread = await loop.run_in_executor(pool, threading.current_thread)
        return result, thread.name

    with api.ThreadPoolExecutor(2, thread_name_prefix="p") as pool:
        result, thread_name = asyncio.run(main(pool))
        ran_on_minipool(api, pool)
    assert (result, thread_name) == (1024, "p_0")


def test_set_default_executor_then_to_thread(api: ModuleType) -> None:
    async def main(pool: Any) -> str:
        asyncio.get_running_loop().set_default_executor(pool)
        thread = await asyncio.to_thread(threading.current_thread)
        return thread.name

    pool = api.ThreadPoolExecutor(1, thread_name_prefix="default")
    assert asyncio.run(main(pool)) == "default_0"  # asyncio.run shuts the pool down
    assert pool._shutdown


def test_wrap_future_with_a_result_and_an_exception(api: ModuleType) -> None:
    async def main(pool: Any) -> list[Any]:
        seen: list[Any] = [await asyncio.wrap_future(pool.submit(pow, 3, 3))]
        try:
            await asyncio.wrap_future(pool.submit(int, "x"))
        except ValueError as error:
            seen.append(str(error))
        return seen

    with api.ThreadPoolExecutor(2) as pool:
        assert asyncio.run(main(pool)) == [27, "invalid literal for int() with base 10: 'x'"]


def test_cancelling_the_asyncio_side_cancels_a_queued_call(api: ModuleType) -> None:
    gate = Gate()

    async def main(pool: Any) -> tuple[bool, bool]:
        loop = asyncio.get_running_loop()
        blocker = pool.submit(gate.task, "blocker")
        await loop.run_in_executor(None, gate.wait_started, "blocker")
        concurrent_future = pool.submit(gate.task, "queued")
        awaitable = asyncio.wrap_future(concurrent_future)
        awaitable.cancel()
        try:
            await awaitable
        except asyncio.CancelledError:
            pass
        # The cancel travels through a callback the loop runs on its next turn.
        await asyncio.sleep(0)
        gate.open_all()
        blocker.result(PROMPTLY)
        return awaitable.cancelled(), concurrent_future.cancelled()

    with api.ThreadPoolExecutor(1) as pool:
        assert asyncio.run(main(pool)) == (True, True)
    assert gate.ran == ["blocker"]


def test_cancelling_the_pool_side_cancels_the_awaiter(api: ModuleType) -> None:
    gate = Gate()

    async def main(pool: Any) -> str:
        blocker = pool.submit(gate.task, "blocker")
        queued = pool.submit(gate.task, "queued")
        awaitable = asyncio.wrap_future(queued)
        assert queued.cancel()
        try:
            await awaitable
        except asyncio.CancelledError:
            outcome = "asyncio.CancelledError"
        else:
            outcome = "returned"
        gate.open_all()
        blocker.result(PROMPTLY)
        return outcome

    with api.ThreadPoolExecutor(1) as pool:
        assert asyncio.run(main(pool)) == "asyncio.CancelledError"


def test_the_standard_librarys_wait_and_as_completed_take_drop_in_futures() -> None:
    def scenario(api: ModuleType) -> list[Any]:
        gate = Gate()
        seen: list[Any] = []
        with api.ThreadPoolExecutor(3) as pool:
            done_now = pool.submit(pow, 2, 2)
            done_now.result(PROMPTLY)
            blocked = pool.submit(gate.task, "b")
            failing = pool.submit(gate.task, "f", raises=True)
            every = [done_now, blocked, failing]
            result = concurrent.futures.wait(every, timeout=0)
            seen.append((len(result.done), len(result.not_done)))
            result = concurrent.futures.wait(every, return_when=concurrent.futures.FIRST_COMPLETED)
            seen.append(result.done == {done_now})
            gate.open("f")
            result = concurrent.futures.wait(every, return_when=concurrent.futures.FIRST_EXCEPTION)
            seen.append(result.done == {done_now, failing})
            try:
                list(concurrent.futures.as_completed(every, timeout=0))
            except concurrent.futures.TimeoutError as error:
                seen.append(str(error))
            gate.open("b")
            order = list(concurrent.futures.as_completed(every, timeout=PROMPTLY))
            seen.append(sorted(map(every.index, order)))
            result = concurrent.futures.wait(every, timeout=PROMPTLY)
            seen.append((len(result.done), len(result.not_done)))
            # The futures keep the waiters' protocol: none is left behind.
            seen.append([len(f._waiters) for f in every])
        return seen

    assert on_both(scenario) == [
        (1, 2),
        True,
        True,
        "1 (of 3) futures unfinished",
        [0, 1, 2],
        (3, 0),
        [0, 0, 0],
    ]


def test_minipools_wait_takes_drop_in_futures_too() -> None:
    with minipool.dropin.ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(pow, 2, n) for n in range(20)]
        done, not_done = minipool.wait(futures)
        assert (len(done), not_done) == (20, set())
        assert sorted(f.result() for f in minipool.as_completed(futures)) == [
            2**n for n in range(20)
        ]
        # A final drop-in future keeps its waiter list (the standard library's protocol),
        # and minipool's wait took its waiter out of every future again.
        assert all(f._waiters == [] for f in futures)


def test_dask_takes_the_pool_as_the_scheduler(api: ModuleType) -> None:
    dask = pytest.importorskip("dask")
    square = dask.delayed(lambda n: n * n)
    total = dask.delayed(sum)([square(n) for n in range(30)])
    with api.ThreadPoolExecutor(2) as pool:
        assert dask.compute(total, scheduler=pool) == (sum(n * n for n in range(30)),)
        assert dask.compute(total, scheduler="threads", pool=pool)[0] == sum(
            n * n for n in range(30)
        )
        ran_on_minipool(api, pool)


def test_grpc_serves_on_the_pool(api: ModuleType) -> None:
    grpc = pytest.importorskip("grpc")
    served_by: list[str] = []

    def echo(request: bytes, context: Any) -> bytes:
        served_by.append(threading.current_thread().name)
        return request.upper()

    handler = grpc.method_handlers_generic_handler(
        "minipool.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(echo)}
    )
    pool = api.ThreadPoolExecutor(2, thread_name_prefix="grpc-pool")
    server = grpc.server(pool, handlers=[handler])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary("/minipool.Echo/Echo")
            replies = [call(b"hi %d" % n, timeout=PROMPTLY) for n in range(3)]
    finally:
        server.stop(None).wait(PROMPTLY)
        pool.shutdown()
    assert replies == [b"HI 0", b"HI 1", b"HI 2"]
    assert served_by and all(name.startswith("grpc-pool_") for name in served_by)


def test_asgiref_sync_to_async_on_the_pool(api: ModuleType) -> None:
    asgiref_sync = pytest.importorskip("asgiref.sync")

    def where() -> str:
        return threading.current_thread().name

    async def main(pool: Any) -> str:
        run = asgiref_sync.sync_to_async(where, thread_sensitive=False, executor=pool)
        return str(await run())

    with api.ThreadPoolExecutor(1, thread_name_prefix="asgi") as pool:
        assert asyncio.run(main(pool)) == "asgi_0"


def test_tornado_runs_on_the_pool_and_awaits_its_futures(api: ModuleType) -> None:
    tornado_concurrent = pytest.importorskip("tornado.concurrent")
    tornado_ioloop = pytest.importorskip("tornado.ioloop")
    tornado_gen = pytest.importorskip("tornado.gen")

    class Handler:
        def __init__(self, executor: Any) -> None:
            self.executor = executor

        @tornado_concurrent.run_on_executor
        def where(self) -> str:
            return threading.current_thread().name

    @tornado_gen.coroutine
    def yield_a_future(pool: Any) -> Any:
        result = yield pool.submit(pow, 2, 4)  # tornado's convert_yielded of a concurrent future
        return result

    async def main(pool: Any) -> list[Any]:
        loop = tornado_ioloop.IOLoop.current()
        return [
            await Handler(pool).where(),
            await loop.run_in_executor(pool, pow, 3, 2),
            await asyncio.wrap_future(pool.submit(pow, 2, 3)),
            await yield_a_future(pool),
        ]

    with api.ThreadPoolExecutor(1, thread_name_prefix="tornado") as pool:
        assert asyncio.run(main(pool)) == ["tornado_0", 9, 8, 16]


# -- issue 21: the handlers written for the standard library ---------------------------------


def caught_by(raise_it: Callable[[], Any]) -> list[str]:
    """Which of the standard library's handlers (and two builtins) catch what *raise_it* raises."""
    try:
        raise_it()
    except BaseException as exc:
        names = ["CancelledError", "TimeoutError", "InvalidStateError", "BrokenExecutor"]
        handlers = [(f"concurrent.futures.{n}", getattr(concurrent.futures, n)) for n in names]
        handlers.append(("BrokenThreadPool", concurrent.futures.thread.BrokenThreadPool))
        handlers += [("RuntimeError", RuntimeError), ("Exception", Exception)]
        return [name for name, cls in handlers if isinstance(exc, cls)]
    raise AssertionError("nothing was raised")


def cancelled_result(api: ModuleType) -> Any:
    future = api.Future()
    future.cancel()
    return future.result()


def set_result_twice(api: ModuleType) -> Any:
    future = api.Future()
    future.set_result(1)
    future.set_result(2)


def broken_pool(api: ModuleType) -> Any:
    def fail() -> None:
        raise ValueError("no")

    pool = api.ThreadPoolExecutor(1, initializer=fail)
    try:
        return pool.submit(pow, 2, 2).result(PROMPTLY)
    finally:
        pool.shutdown()


def result_timeout(api: ModuleType) -> Any:
    return api.Future().result(timeout=0)


def as_completed_timeout(api: ModuleType) -> Any:
    return list(api.as_completed([api.Future()], timeout=0))


def map_timeout(api: ModuleType) -> Any:
    gate = Gate()
    with api.ThreadPoolExecutor(1) as pool:
        try:
            return list(pool.map(gate.task, [1], timeout=0))
        finally:
            gate.open_all()


ROWS = [cancelled_result, set_result_twice, broken_pool, result_timeout, as_completed_timeout]
ROWS += [map_timeout]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.__name__)
def test_handlers_written_for_the_standard_library_catch_the_drop_ins_errors(
    row: Callable[[ModuleType], Any], futures_log: Any
) -> None:
    stdlib = caught_by(lambda: row(concurrent.futures))
    assert caught_by(lambda: row(minipool.dropin)) == stdlib
    assert stdlib  # the row raises something the standard library's handlers know


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.__name__)
def test_minipools_own_classes_are_distinct_but_its_handlers_catch_them(
    row: Callable[[ModuleType], Any], futures_log: Any
) -> None:
    # The default classes never import concurrent.futures, so the standard
    # library's handlers miss them (but for TimeoutError from 3.11, the builtin);
    # minipool's own handlers, and the builtins, catch what they caught there.
    ours = caught_by(lambda: row(minipool))
    stdlib = caught_by(lambda: row(concurrent.futures))
    builtin_timeout = sys.version_info >= (3, 11)
    expected = [
        name
        for name in stdlib
        if name in ("RuntimeError", "Exception")
        or (builtin_timeout and name.endswith(".TimeoutError"))
    ]
    assert ours == expected
    name = {"cancelled_result": "CancelledError", "set_result_twice": "InvalidStateError",
            "broken_pool": "BrokenThreadPool"}.get(row.__name__, "TimeoutError")  # fmt: skip
    with pytest.raises(getattr(minipool, name)):
        row(minipool)


def test_asyncio_converts_the_drop_ins_cancelled_error(api: ModuleType) -> None:
    # A call that fails with the standard library's CancelledError (it asked
    # a cancelled future for its result): asyncio turns it into its own.
    cancelled = api.Future()
    cancelled.cancel()

    async def main(pool: Any) -> str:
        try:
            await asyncio.wrap_future(pool.submit(cancelled.result))
        except asyncio.CancelledError:
            return "asyncio.CancelledError"
        except BaseException as exc:
            return type(exc).__name__
        return "returned"

    with api.ThreadPoolExecutor(1) as pool:
        assert asyncio.run(main(pool)) == "asyncio.CancelledError"


def test_the_drop_ins_handlers_catch_the_standard_librarys_errors() -> None:
    future: concurrent.futures.Future[int] = concurrent.futures.Future()
    future.cancel()
    with pytest.raises(minipool.dropin.CancelledError):
        future.result()
    with pytest.raises(minipool.dropin.TimeoutError):
        concurrent.futures.Future().result(timeout=0)
    # minipool's own class is not the standard library's (the core never imports it).
    with pytest.raises(concurrent.futures.CancelledError) as raised:
        try:
            future.result()
        except minipool.CancelledError:  # pragma: no cover - must not catch
            pytest.fail("minipool.CancelledError caught the standard library's")
    assert type(raised.value) is concurrent.futures.CancelledError


def test_the_drop_ins_exceptions_are_the_standard_librarys_classes() -> None:
    assert minipool.dropin.CancelledError is concurrent.futures.CancelledError
    assert minipool.dropin.TimeoutError is concurrent.futures.TimeoutError
    assert minipool.dropin.InvalidStateError is concurrent.futures.InvalidStateError
    assert minipool.dropin.BrokenExecutor is concurrent.futures.BrokenExecutor
    assert minipool.dropin.BrokenThreadPool is concurrent.futures.thread.BrokenThreadPool
    # minipool's own: the same names and messages, a module of their own (docs/differences.rst).
    for name in ("CancelledError", "InvalidStateError", "BrokenExecutor", "BrokenThreadPool"):
        ours = getattr(minipool, name)
        assert ours.__name__ == name and ours.__module__ == "minipool.errors"
        assert repr(ours("m")) == repr(getattr(minipool.dropin, name)("m"))


# -- the default classes: refused where types are checked (docs/dropin.rst) --------------


def test_the_default_classes_are_refused_where_the_standard_librarys_types_are_checked() -> None:
    with minipool.ThreadPoolExecutor(1) as pool:
        future = pool.submit(pow, 2, 2)
        future.result(PROMPTLY)
        assert not isinstance(pool, concurrent.futures.Executor)
        assert not isinstance(future, concurrent.futures.Future)
        with pytest.raises(AttributeError, match="_condition"):
            concurrent.futures.wait([future])


def test_the_default_classes_are_refused_by_asyncio_asgiref_and_tornado() -> None:
    # The middle column of docs/dropin.rst's table: what minipool's own pool gets.
    def refusal(make: Callable[[Any], Any]) -> str:
        async def main(pool: Any) -> str:
            try:
                await make(pool)
            except Exception as error:
                return type(error).__name__
            return "works"

        with minipool.ThreadPoolExecutor(1) as pool:
            return asyncio.run(main(pool))

    async def set_default(pool: Any) -> None:
        asyncio.get_running_loop().set_default_executor(pool)

    def loop() -> Any:
        return asyncio.get_running_loop()

    assert refusal(lambda pool: loop().run_in_executor(pool, pow, 2, 2)) == "AssertionError"
    assert refusal(lambda pool: asyncio.wrap_future(pool.submit(pow, 2, 2))) == "AssertionError"
    if sys.version_info >= (3, 11):
        assert refusal(set_default) == "TypeError"
    else:  # before 3.11 asyncio only warns
        with pytest.warns(DeprecationWarning, match="ThreadPoolExecutor"):
            assert refusal(set_default) == "works"
    asgiref_sync = pytest.importorskip("asgiref.sync")

    def sync_to_async(pool: Any) -> Any:
        return asgiref_sync.sync_to_async(pow, thread_sensitive=False, executor=pool)(2, 2)

    assert refusal(sync_to_async) == "AssertionError"
    tornado_ioloop = pytest.importorskip("tornado.ioloop")
    tornado_gen = pytest.importorskip("tornado.gen")

    @tornado_gen.coroutine
    def yield_a_future(pool: Any) -> Any:
        result = yield pool.submit(pow, 2, 2)
        return result

    run_in_executor = tornado_ioloop.IOLoop.current
    assert refusal(lambda pool: run_in_executor().run_in_executor(pool, pow, 2, 2)) == (
        "AssertionError"
    )
    assert refusal(yield_a_future) == "BadYieldError"


# -- minipool's extras through the drop-in pool ---------------------------------------


def test_the_extras_work_through_the_drop_in_pool() -> None:
    import contextvars

    import minipool.trace

    request = contextvars.ContextVar("request", default="none")
    request.set("r1")
    with (
        minipool.trace.record() as recording,
        minipool.dropin.ThreadPoolExecutor(
            1, stats=True, max_pending=1, on_full="caller_runs", copy_context=True
        ) as pool,
    ):
        gate = Gate()
        first = pool.submit(gate.task, "first")
        gate.wait_started("first")
        queued = pool.submit(request.get)  # queued: the one place max_pending=1 allows
        here = pool.submit(threading.current_thread)  # full: runs in this thread
        assert here.done() and here.result() is threading.current_thread()
        assert isinstance(here, minipool.dropin.Future)  # caller_runs: the pool's kind
        gate.open_all()
        assert queued.result(PROMPTLY) == "r1"  # copy_context: the submitter's context
        assert first.result(PROMPTLY) == "first"
        squares = pool.map(pow, range(5), [2] * 5, buffersize=2)
        assert list(squares) == [0, 1, 4, 9, 16]
        stats = pool.stats()
    # 8 calls: each queued (stats counts it as submitted) or, the pool full, run here.
    assert stats.submitted + stats.ran_in_caller == 8 and stats.ran_in_caller >= 1
    assert stats.completed == stats.submitted
    assert len(recording.tasks) == stats.submitted  # the timeline saw every queued call


def test_debug_mode_reports_a_deadlock_of_the_drop_in_pool() -> None:
    # The seed's second deadlock: a one-worker pool whose call waits for a
    # call it submitted to the same pool.
    with minipool.dropin.ThreadPoolExecutor(1, debug=True) as pool:
        outer = pool.submit(lambda: pool.submit(pow, 2, 2).result())
        with pytest.raises(minipool.DeadlockError):
            outer.result()  # no timeout: a timed wait counts as a thread that may act
