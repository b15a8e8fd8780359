"""The future: a box for one result, filled once, from any thread.

Every change of state happens under the future's ``_state_lock``, in the
method the table names, and nowhere else::

    state                   done()  moved to ...             by ...
    ----------------------  ------  -----------------------  ---------------------------------
    PENDING                 no      RUNNING                  set_running_or_notify_cancel()
                                    CANCELLED                cancel()
                                    FINISHED                 set_result() / set_exception()
    RUNNING                 no      FINISHED                 set_result() / set_exception()
    CANCELLED               yes     CANCELLED_AND_NOTIFIED   set_running_or_notify_cancel()
    CANCELLED_AND_NOTIFIED  yes     (final)
    FINISHED                yes     (final)

``cancel()`` wakes ``result()`` and runs the callbacks; the *waiters* of ``wait()``
and ``as_completed()`` hear of it when a worker passes over the call, as in the
standard library.  No user code runs with the lock held (waiters only record and wake).
"""

from __future__ import annotations

import logging
import threading
import types
from typing import TYPE_CHECKING, Any, Callable, Generic, TypeVar

from minipool.errors import CancelledError, InvalidStateError, TimeoutError
from minipool.versions import HAS_GET_SNAPSHOT, RESULT_RAISES_FALSY_EXCEPTIONS

# The standard library's names and values (error messages show them).
PENDING = "PENDING"
RUNNING = "RUNNING"
CANCELLED = "CANCELLED"
CANCELLED_AND_NOTIFIED = "CANCELLED_AND_NOTIFIED"
FINISHED = "FINISHED"
CANCELLED_STATES = frozenset((CANCELLED, CANCELLED_AND_NOTIFIED))  # cancelled()
DONE_STATES = CANCELLED_STATES | {FINISHED}  # done()
FINAL_STATES = frozenset((CANCELLED_AND_NOTIFIED, FINISHED))  # done for wait()
STATE_DESCRIPTIONS = {PENDING: "pending", RUNNING: "running", FINISHED: "finished"}  # repr()
STATE_DESCRIPTIONS.update(dict.fromkeys(CANCELLED_STATES, "cancelled"))

LOGGER = logging.getLogger("concurrent.futures")  # the standard library's: its set-up applies

T = TypeVar("T")

if TYPE_CHECKING:
    from minipool.hooks import BlockingWatcher
    from minipool.waiting import _Waiter

# Debug mode's watcher of blocking waits, or None.  Written by watch_blocking() only,
# read without a lock: a reference is read whole on any build (stale: a moment earlier).
blocking_watcher: BlockingWatcher | None = None


def watch_blocking(watcher: BlockingWatcher | None) -> None:
    """Make *watcher* hear every blocking wait on a future from now on (None: stop)."""
    global blocking_watcher
    blocking_watcher = watcher


def tell_of_final(future: Any, waiter: _Waiter) -> None:
    """Tell *waiter* of *future*, already final, as it would have (stdlib futures too)."""
    if future._state == CANCELLED_AND_NOTIFIED:
        waiter.add_cancelled(future)
    elif future._exception is not None:
        waiter.add_exception(future)
    else:
        waiter.add_result(future)


class Future(Generic[T]):
    """The result of a call that may not have happened yet, as
    :class:`concurrent.futures.Future`; ``Future[int]`` holds an ``int``::

        >>> from minipool import Future
        >>> f = Future()
        >>> f.set_result(8)
        >>> f.result(), f.done()
        (8, True)
        >>> repr(f).endswith("state=finished returned int>")
        True
    """

    # Fast path: slots, a small object for the garbage collector to walk (__dict__: for yours).
    __slots__: tuple[str, ...] = ("__dict__", "__weakref__", "_done_callbacks", "_done_condition")
    __slots__ += ("_exception", "_result", "_state", "_state_lock", "_waiters")

    # Class attributes, as minipool.dropin's Future raises the standard library's
    # errors and keeps its waiters once final (for the standard library's wait()).
    _CancelledError: type[Exception] = CancelledError
    _TimeoutError: type[Exception] = TimeoutError
    _InvalidStateError: type[Exception] = InvalidStateError
    _keeps_waiters = False

    def __init__(self) -> None:
        """Initializes the future. Should not be called by clients."""
        self._state_lock = threading.Lock()  # guards every field below
        self._state = PENDING
        self._result: Any = None
        self._exception: BaseException | None = None
        # Fast path: None until needed (243 ns to make a future, not 711 ns; fast_paths.py).
        self._waiters: list[_Waiter] | None = None  # of wait()/as_completed()
        self._done_callbacks: list[Callable[[Future[T]], object]] | None = None
        self._done_condition: threading.Condition | None = None  # on _state_lock, for result()

    def __repr__(self) -> str:
        with self._state_lock:
            state, result, exception = self._state, self._result, self._exception
        # Formatted without the lock: the result's class is user code.
        name, description = self.__class__.__name__, STATE_DESCRIPTIONS[state]
        text = "<%s at %#x state=%s" % (name, id(self), description)
        if state != FINISHED:
            return text + ">"
        if exception:  # its truth value decides, as in the standard library
            return "%s raised %s>" % (text, exception.__class__.__name__)
        return "%s returned %s>" % (text, result.__class__.__name__)

    if HAS_GET_SNAPSHOT:

        def _get_snapshot(self) -> tuple[bool, bool, Any, BaseException | None]:
            """``(done, cancelled, result, exception)`` under one lock (3.15+, for asyncio)."""
            with self._state_lock:
                if self._state == FINISHED:
                    return True, False, self._result, self._exception
                cancelled = self._state in CANCELLED_STATES
                return cancelled, cancelled, None, None  # cancelled, or not done

    def cancelled(self) -> bool:
        """Return True if the future was cancelled."""
        with self._state_lock:
            return self._state in CANCELLED_STATES

    def running(self) -> bool:
        """Return True if the future is currently executing."""
        with self._state_lock:
            return self._state == RUNNING

    def done(self) -> bool:
        """Return True if the future was cancelled or finished executing."""
        with self._state_lock:
            return self._state in DONE_STATES

    def result(self, timeout: float | None = None) -> T:
        """The call's result, waiting up to *timeout* seconds (None: no limit); raises
        its exception, :class:`~minipool.CancelledError` or :class:`~minipool.TimeoutError`."""
        # Fast path: acquire()/release() instead of "with", here and in the other
        # methods every call passes: 86 ns instead of 192 ns (fast_paths.py, 3.13).
        lock = self._state_lock
        lock.acquire()
        try:
            if self._state != FINISHED:
                self._wait_until_finished(timeout)
            if self._exception is not None and (RESULT_RAISES_FALSY_EXCEPTIONS or self._exception):
                raise self._exception
            result: T = self._result
            return result
        finally:
            lock.release()
            del self  # the traceback of a raised exception holds this frame: no cycle

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """Return the call's exception, or None if it returned; waits as :meth:`result`."""
        with self._state_lock:
            self._wait_until_finished(timeout)
            return self._exception

    def _wait_until_finished(self, timeout: float | None) -> None:
        """Lock held: return once FINISHED; raise if cancelled or *timeout* passes."""
        if self._state not in DONE_STATES:
            condition = self._done_condition
            if condition is None:
                condition = self._done_condition = threading.Condition(self._state_lock)
            watcher = blocking_watcher
            if watcher is None:  # once: notified only when done, no spurious wake-ups
                condition.wait(timeout)
            else:
                watcher.wait_for_future(self, condition, timeout)  # debug mode
        if self._state in CANCELLED_STATES:
            raise self._CancelledError()
        if self._state != FINISHED:
            raise self._TimeoutError()

    def add_done_callback(self, fn: Callable[[Future[T]], object]) -> None:
        """Call ``fn(future)`` once done, in the thread that completes it (now, if done);
        its :class:`Exception` is logged to ``"concurrent.futures"``."""
        with self._state_lock:
            if self._state not in DONE_STATES:
                if self._done_callbacks is None:
                    self._done_callbacks = []
                self._done_callbacks.append(fn)
                return
        self._call_callback(fn)

    def _call_callback(self, fn: Callable[[Future[T]], object]) -> None:
        try:
            fn(self)
        except Exception:
            LOGGER.exception("exception calling callback for %r", self)

    def _invoke_callbacks(self) -> None:  # done: the list no longer changes
        for fn in self._done_callbacks or ():
            self._call_callback(fn)

    def _add_waiter(self, waiter: _Waiter) -> bool:
        """Install *waiter*, or, if the future is final, tell it now: it hears once either
        way.  True if a final future keeps it, to be taken out by ``_remove_waiter()``."""
        lock = self._state_lock
        lock.acquire()
        try:
            if self._state not in FINAL_STATES:
                if self._waiters is None:
                    self._waiters = []
                self._waiters.append(waiter)
                return self._keeps_waiters
        finally:
            lock.release()
        tell_of_final(self, waiter)  # without the lock: a final future never changes
        return self._keeps_waiters

    def _remove_waiter(self, waiter: _Waiter) -> None:
        """Take *waiter* out again, unless the future has dropped it already."""
        # Fast path: a final future's _waiters is None, so no lock (40 ns, not 203 ns).
        # A stale read without the lock can only see the list; the check under it decides.
        if self._waiters is None:
            return
        with self._state_lock:
            if self._waiters is not None:
                try:
                    self._waiters.remove(waiter)
                except ValueError:  # told at once by a final future that keeps its list
                    pass

    def cancel(self) -> bool:
        """Cancel the call unless it runs or ran; return whether the future is cancelled."""
        with self._state_lock:
            if self._state in (RUNNING, FINISHED):
                return False
            if self._state in CANCELLED_STATES:
                return True
            self._state = CANCELLED
            if self._done_condition is not None:
                self._done_condition.notify_all()
        self._invoke_callbacks()
        return True

    def set_running_or_notify_cancel(self) -> bool:
        """For executors: PENDING -> RUNNING, True (run it); CANCELLED ->
        CANCELLED_AND_NOTIFIED, False (skip it); else :class:`RuntimeError`."""
        lock = self._state_lock
        lock.acquire()
        try:
            if self._state == PENDING:
                self._state = RUNNING
                return True
            if self._state == CANCELLED:
                self._state = CANCELLED_AND_NOTIFIED
                for waiter in self._waiters or ():
                    waiter.add_cancelled(self)
                if not self._keeps_waiters:
                    self._waiters = None  # final: no waiter will hear anything again
                return False
            state = self._state
        finally:
            lock.release()
        LOGGER.critical("Future %s in unexpected state: %s", id(self), state)
        raise RuntimeError("Future in unexpected state")

    def set_result(self, result: T) -> None:
        """For executors: -> FINISHED (:class:`~minipool.InvalidStateError` if done)."""
        self._finish(result, None, False)

    def set_exception(self, exception: BaseException | None) -> None:
        """For executors: -> FINISHED (:class:`~minipool.InvalidStateError` if done)."""
        self._finish(None, exception, True)

    def _finish(self, result: Any, exception: BaseException | None, raised: bool) -> None:
        """PENDING or RUNNING -> FINISHED; tell waiters, blocked threads, then callbacks."""
        lock = self._state_lock
        lock.acquire()
        try:
            state = self._state
            if state not in DONE_STATES:
                self._result, self._exception, self._state = result, exception, FINISHED
                if self._waiters is not None:  # Fast path: most futures never had one
                    for waiter in self._waiters:
                        if raised:
                            waiter.add_exception(self)
                        else:
                            waiter.add_result(self)
                    if not self._keeps_waiters:
                        self._waiters = None  # final: no waiter will hear anything again
                if self._done_condition is not None:
                    self._done_condition.notify_all()
        finally:
            lock.release()
        if state in DONE_STATES:  # repr(self) takes the lock: built after it
            raise self._InvalidStateError("{}: {!r}".format(state, self))
        if self._done_callbacks:
            self._invoke_callbacks()

    @classmethod
    def __class_getitem__(cls, item: Any) -> types.GenericAlias:
        """``Future[int]`` is a :class:`types.GenericAlias`, as in the standard library."""
        return types.GenericAlias(cls, item)
