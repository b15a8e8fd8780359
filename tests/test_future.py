"""The Future: its state machine, blocking reads, callbacks and repr, on both implementations."""

from __future__ import annotations

import builtins
import gc
import re
import sys
import threading
import types
import weakref
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import minipool
from conftest import PROMPTLY, LogRecords, assert_same, error_of, normalized

# -- the whole state table, compared ---------------------------------------

OPERATIONS = [
    "cancel",
    "set_running_or_notify_cancel",
    "set_result",
    "set_result_none",
    "set_exception",
    "set_exception_base",
    "set_exception_none",
    "add_done_callback",
    "add_raising_callback",
    "done",
    "running",
    "cancelled",
    "result",
    "exception",
    "repr",
]


def apply_operations(impl: ModuleType, operations: list[str], log: LogRecords) -> list[Any]:
    """Apply *operations* to one new future; observe every return value, error and callback."""
    future = impl.Future()
    observed: list[Any] = []

    def callback(f: Any, added_at: int) -> None:
        observed.append(("callback added at", added_at, f is future, f.done(), f.cancelled()))

    def raising_callback(f: Any) -> None:
        raise ValueError("callback failed")

    for step, name in enumerate(operations):
        calls = {
            "set_result": lambda: future.set_result(42),
            "set_result_none": lambda: future.set_result(None),
            "set_exception": lambda: future.set_exception(ValueError("boom")),
            "set_exception_base": lambda: future.set_exception(KeyboardInterrupt()),
            "set_exception_none": lambda: future.set_exception(None),
            "add_done_callback": lambda step=step: future.add_done_callback(
                lambda f: callback(f, step)
            ),
            "add_raising_callback": lambda: future.add_done_callback(raising_callback),
            # A blocking read on a future nobody will complete: timeout=0.
            "result": lambda: future.result(timeout=0),
            "exception": lambda: future.exception(timeout=0),
            "repr": lambda: repr(future),
        }
        call = calls.get(name) or getattr(future, name)
        try:
            value = call()
        except BaseException as exc:
            observed.append((name, "raised", type(exc).__name__, str(exc)))
        else:
            if isinstance(value, BaseException):
                value = ("exception object", type(value).__name__, str(value))
            observed.append((name, "returned", value))
    # Log messages hold id(future) in decimal: blank the numbers out.
    observed.append(
        [
            (level, re.sub(r"\d{6,}", "N", normalized(message)), exc)
            for level, message, exc in log.summary()
        ]
    )
    return observed


@given(st.lists(st.sampled_from(OPERATIONS), max_size=10))
def test_every_sequence_of_operations_is_observed_the_same(operations: list[str]) -> None:
    # Covers the state table: every move, every refused move (InvalidStateError,
    # "Future in unexpected state" with its critical log), the flags in each
    # state, callbacks (order, arguments, immediate call when done, logging of
    # their exceptions) and repr.
    import logging

    def scenario(impl: ModuleType) -> list[Any]:
        log = LogRecords()
        logger = logging.getLogger("concurrent.futures")
        logger.addHandler(log)
        logger.propagate = False  # keep the expected error logs out of the output
        try:
            return apply_operations(impl, operations, log)
        finally:
            logger.removeHandler(log)
            logger.propagate = True

    assert_same(scenario)


# -- single behaviours, stated on both implementations ---------------------


def test_new_future_is_pending(impl: ModuleType) -> None:
    future = impl.Future()
    assert (future.done(), future.running(), future.cancelled()) == (False, False, False)
    assert re.fullmatch(r"<Future at 0x[0-9a-f]+ state=pending>", repr(future))


def test_cancel_of_a_cancelled_future_returns_true_again(impl: ModuleType) -> None:
    future = impl.Future()
    assert future.cancel() is True
    assert future.cancel() is True
    future.set_running_or_notify_cancel()  # -> CANCELLED_AND_NOTIFIED
    assert future.cancel() is True


def test_cancel_of_running_future_returns_false(impl: ModuleType) -> None:
    future = impl.Future()
    assert future.set_running_or_notify_cancel() is True
    assert future.cancel() is False
    assert future.running()


def test_a_minipool_future_has_no_condition_until_a_thread_blocks() -> None:
    # docs/differences.rst: the standard library's Future has a private
    # _condition from the start; minipool's builds its condition on demand,
    # under another name, so code reaching for _condition does not work.
    import concurrent.futures

    assert hasattr(concurrent.futures.Future(), "_condition")
    future: minipool.Future[int] = minipool.Future()
    assert not hasattr(future, "_condition")
    assert future._done_condition is None
    try:
        future.result(timeout=0)
    except minipool.TimeoutError:
        pass
    assert future._done_condition is not None and not hasattr(future, "_condition")


def test_repr_names_the_result_or_exception_class(impl: ModuleType) -> None:
    returned, raised = impl.Future(), impl.Future()
    returned.set_result([1])
    raised.set_exception(OSError())
    assert repr(returned).endswith("state=finished returned list>")
    assert repr(raised).endswith("state=finished raised OSError>")


def test_repr_uses_the_subclass_name(impl: ModuleType) -> None:
    class Job(impl.Future):  # type: ignore[name-defined,misc]
        pass

    assert repr(Job()).startswith("<Job at 0x")


def test_result_reraises_the_very_exception_object(impl: ModuleType) -> None:
    future = impl.Future()
    error = ValueError("once")
    future.set_exception(error)
    with pytest.raises(ValueError) as raised:
        future.result()
    assert raised.value is error
    assert future.exception() is error


class FalsyError(Exception):
    """An exception whose truth value is False (gh-132063)."""

    def __bool__(self) -> bool:
        return False


def test_an_exception_that_is_false_is_treated_as_the_running_release_does() -> None:
    # Raised by result() from 3.13.4 and 3.14 on, returned as None before;
    # repr() and wait() read it the same on both implementations either way.
    def scenario(impl: ModuleType) -> list[Any]:
        future = impl.Future()
        future.set_exception(FalsyError("quiet"))
        try:
            outcome: Any = ("returned", future.result())
        except FalsyError as error:
            outcome = ("raised", str(error))
        done = impl.wait([future], timeout=0, return_when=impl.FIRST_EXCEPTION).done
        return [outcome, repr(future), type(future.exception()).__name__, len(done)]

    observed = assert_same(scenario)
    assert observed[0][0] in {"raised", "returned"}


def test_get_snapshot_exists_and_reads_alike_where_the_standard_library_has_it() -> None:
    # The private Future._get_snapshot() of 3.15 (asyncio reads futures with it).
    def scenario(impl: ModuleType) -> list[Any]:
        if not hasattr(impl.Future, "_get_snapshot"):
            return ["no _get_snapshot"]
        error = ValueError("boom")
        futures = [impl.Future() for _ in range(5)]
        futures[1].set_running_or_notify_cancel()
        futures[2].set_result(42)
        futures[3].set_exception(error)
        futures[4].cancel()
        snapshots = [future._get_snapshot() for future in futures]
        return [(done, cancelled, result, exception is error if exception else exception)
                for done, cancelled, result, exception in snapshots]  # fmt: skip

    assert_same(scenario)


def test_timeout_error_is_the_builtin_from_python_3_11(impl: ModuleType) -> None:
    future = impl.Future()
    with pytest.raises(impl.TimeoutError):
        future.result(timeout=0)
    assert (impl.TimeoutError is builtins.TimeoutError) == (sys.version_info >= (3, 11))


@pytest.mark.parametrize("timeout", [0, -1, 0.001])
def test_result_with_short_or_negative_timeout_raises_timeout(
    impl: ModuleType, timeout: float
) -> None:
    with pytest.raises(impl.TimeoutError):
        impl.Future().result(timeout=timeout)
    with pytest.raises(impl.TimeoutError):
        impl.Future().exception(timeout=timeout)


def test_odd_timeouts_raise_the_same_errors() -> None:
    def scenario(impl: ModuleType) -> list[tuple[str, str]]:
        return [
            error_of(lambda: impl.Future().result(timeout="1")),
            error_of(lambda: impl.Future().exception(timeout=[])),
            error_of(lambda: impl.Future().result(timeout=1e300)),
        ]

    assert_same(scenario)


def test_invalid_state_error_message_names_state_and_future() -> None:
    def scenario(impl: ModuleType) -> list[tuple[str, str]]:
        finished, cancelled = impl.Future(), impl.Future()
        finished.set_result(1)
        cancelled.cancel()
        return [
            error_of(lambda: finished.set_result(2)),
            error_of(lambda: finished.set_exception(ValueError())),
            error_of(lambda: cancelled.set_result(2)),
        ]

    observed = assert_same(scenario)
    assert observed[0][1].startswith("FINISHED: <Future at 0x")


def test_future_is_generic_like_the_standard_library(impl: ModuleType) -> None:
    alias = impl.Future[int]
    assert isinstance(alias, types.GenericAlias)
    assert alias.__origin__ is impl.Future
    assert alias.__args__ == (int,)


# -- blocking reads, woken by another thread --------------------------------


def blocked_call(call: Any) -> tuple[threading.Thread, threading.Event, list[Any]]:
    """Start *call* in a thread; return the thread, an event set when it returned, its outcome."""
    started, returned = threading.Event(), threading.Event()
    outcome: list[Any] = []

    def run() -> None:
        started.set()
        try:
            outcome.append(("returned", call()))
        except BaseException as exc:
            outcome.append(("raised", type(exc)))
        returned.set()

    # A daemon: if a bug leaves it blocked for ever, the test fails and the
    # interpreter can still exit (the leftover-thread check reports it).
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(PROMPTLY)
    return thread, returned, outcome


@pytest.mark.parametrize("method", ["result", "exception"])
def test_blocked_read_returns_when_another_thread_sets_the_result(
    impl: ModuleType, method: str
) -> None:
    future = impl.Future()
    thread, returned, outcome = blocked_call(getattr(future, method))
    # A bounded check that the read really blocks (not the synchronisation).
    assert not returned.wait(0.05)
    future.set_result("done")
    thread.join(PROMPTLY)
    assert outcome == [("returned", "done" if method == "result" else None)]


@pytest.mark.parametrize("method", ["result", "exception"])
def test_cancel_wakes_threads_blocked_in_a_read(impl: ModuleType, method: str) -> None:
    future = impl.Future()
    thread, returned, outcome = blocked_call(getattr(future, method))
    assert not returned.wait(0.05)
    assert future.cancel()
    thread.join(PROMPTLY)
    assert outcome == [("raised", impl.CancelledError)]


def test_blocked_read_with_timeout_raises_timeout_error(impl: ModuleType) -> None:
    future = impl.Future()
    thread, _returned, outcome = blocked_call(lambda: future.result(timeout=0.01))
    thread.join(PROMPTLY)
    assert outcome == [("raised", impl.TimeoutError)]
    future.set_result(1)  # later readers are not affected
    assert future.result(timeout=0) == 1


def test_many_threads_blocked_on_one_future_all_wake(impl: ModuleType) -> None:
    future = impl.Future()
    readers = [blocked_call(future.result) for _ in range(5)]
    future.set_result(7)
    for thread, _returned, outcome in readers:
        thread.join(PROMPTLY)
        assert outcome == [("returned", 7)]


# -- callbacks ---------------------------------------------------------------


def test_callbacks_run_once_in_order_in_the_completing_thread(impl: ModuleType) -> None:
    future = impl.Future()
    calls: list[tuple[str, Any, str]] = []
    for name in ("first", "second", "third"):
        future.add_done_callback(
            lambda f, name=name: calls.append((name, f, threading.current_thread().name))
        )
    completer = threading.Thread(target=future.set_result, args=(1,), name="completer", daemon=True)
    completer.start()
    completer.join(PROMPTLY)
    assert calls == [(name, future, "completer") for name in ("first", "second", "third")]


def test_callback_added_to_a_done_future_is_called_at_once(impl: ModuleType) -> None:
    future = impl.Future()
    future.cancel()
    calls: list[bool] = []
    future.add_done_callback(lambda f: calls.append(f.cancelled()))
    assert calls == [True]


def test_callback_exception_is_logged_not_raised() -> None:
    def scenario(impl: ModuleType) -> list[Any]:
        future = impl.Future()
        later: list[int] = []
        log = LogRecords()
        import logging

        logger = logging.getLogger("concurrent.futures")
        logger.addHandler(log)
        logger.propagate = False
        try:
            future.add_done_callback(lambda f: 1 / 0)
            future.add_done_callback(lambda f: later.append(f.result()))
            future.set_result(5)  # does not raise
        finally:
            logger.removeHandler(log)
            logger.propagate = True
        return [later, log.summary()]

    observed = assert_same(scenario)
    assert observed[1][0][0] == "ERROR"
    assert observed[1][0][2] == "ZeroDivisionError"


def test_minipool_logs_to_the_standard_librarys_logger(futures_log: LogRecords) -> None:
    future = minipool.Future()
    future.add_done_callback(lambda f: 1 / 0)
    future.set_result(None)
    assert [r.name for r in futures_log.records] == ["concurrent.futures"]


# -- what users hang on a future ---------------------------------------------


def test_a_future_takes_attributes_of_your_own_and_weak_references() -> None:
    # Code often tags futures (future.url = url) and keeps weak references to
    # them; minipool's futures have __slots__, with room kept for both.
    def scenario(impl: ModuleType) -> Any:
        import weakref

        future = impl.Future()
        future.url = "https://example.org"
        reference = weakref.ref(future)
        future.set_result(1)
        tagged = (future.url, reference() is future, getattr(future, "missing", "absent"))
        del future
        return tagged, reference() is None

    assert assert_same(scenario) == (("https://example.org", True, "absent"), True)


def test_a_subclass_of_future_works_like_one() -> None:
    def scenario(impl: ModuleType) -> Any:
        class TaggedFuture(impl.Future):  # type: ignore[name-defined,misc]
            def __init__(self, tag: str) -> None:
                super().__init__()
                self.tag = tag

        future = TaggedFuture("mine")
        future.set_result(2)
        return future.tag, future.result(), repr(future)

    assert assert_same(scenario) == ("mine", 2, "<TaggedFuture at 0x… state=finished returned int>")


def test_result_that_raises_leaves_no_reference_cycle_through_its_frame(impl: ModuleType) -> None:
    # result()'s frame is in the traceback of the exception it re-raises, and
    # the future holds that exception: unless result() drops its reference
    # to the future, the future lives until the garbage collector runs.
    gc.disable()
    try:
        future = impl.Future()
        future.set_exception(ValueError("boom"))
        try:
            future.result()
        except ValueError:
            pass
        alive = weakref.ref(future)
        del future
        assert alive() is None
    finally:
        gc.enable()
