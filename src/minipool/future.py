"""The future: a box for one result that is filled once, from any thread.

A :class:`Future` knows nothing of threads or pools.  It holds a state, a result
or an exception, the callbacks to run when it is done, and the *waiters* of
:func:`~minipool.wait` and :func:`~minipool.as_completed` to tell when it is
done.  Executors create futures and move them through their states; users
read them.

The state machine
=================

Every change of state happens under the future's ``_state_lock``, in the
method named in the table, and nowhere else::

    state                   done()  moved to ...             by ...
    ----------------------  ------  -----------------------  ---------------------------------
    PENDING                 no      RUNNING                  set_running_or_notify_cancel()
                                    CANCELLED                cancel()
                                    FINISHED                 set_result() / set_exception()
    RUNNING                 no      FINISHED                 set_result() / set_exception()
    CANCELLED               yes     CANCELLED_AND_NOTIFIED   set_running_or_notify_cancel()
    CANCELLED_AND_NOTIFIED  yes     (final)
    FINISHED                yes     (final)

Who is told of each move (always *after* the state is written):

- ``cancel()`` (PENDING -> CANCELLED) wakes the threads blocked in
  :meth:`~minipool.Future.result` / :meth:`~minipool.Future.exception` (they raise
  :class:`~minipool.CancelledError`) and runs the done-callbacks.  The waiters
  of ``wait()`` and ``as_completed()`` are *not* told yet.
- ``set_running_or_notify_cancel()`` on a CANCELLED future
  (-> CANCELLED_AND_NOTIFIED) tells the ``wait()`` / ``as_completed()``
  waiters.  An executor calls it when a worker reaches the cancelled task, so
  a future cancelled in the queue counts as done for ``wait()`` only once a
  worker has passed over it.  This two-step cancel is the standard library's
  behaviour, kept exactly: ``wait()`` on a future that was cancelled but never
  reached by a worker (for example by ``shutdown(cancel_futures=True)``)
  does not see it as done.
- ``set_result()`` / ``set_exception()`` (-> FINISHED) tell everyone: blocked
  threads, waiters, then callbacks.

``running()`` is true only in RUNNING; ``cancelled()`` in both cancelled
states; ``done()`` in the three right-hand states.

Locking
=======

Each future has one plain :class:`threading.Lock`, ``_state_lock``.  It is
held only for a few lines at a time and never while user code runs: not
callbacks, not ``repr()`` of a result, not a waiter's caller.  Threads that
block in ``result()`` or ``exception()`` wait on a :class:`threading.Condition`
built around that same lock.  Waiters (the objects ``wait()`` and
``as_completed()`` install) are told of a change *while the lock is held*, so
that a waiter sees every change after the moment it was installed; a waiter's
methods therefore only record the future and wake their thread, they never
call back into the future.  The lock order is: a future's lock, then a
waiter's lock, never the reverse.

The methods on the path of every call (``set_running_or_notify_cancel``,
``set_result``, ``result``) take the lock with ``acquire()`` and
``try: ... finally: release()`` rather than a ``with`` statement.  It means
the same, and costs less than half as much in CPython (``with`` looks up and
calls ``__enter__`` and ``__exit__``): 86 ns instead of 192 ns for an
uncontended lock (``python -m benchmarks.fast_paths``, 3.13, this project's
2-CPU machine); a call through a pool takes four locks.

Once a future reaches a final state (FINISHED or CANCELLED_AND_NOTIFIED) it
has told its waiters all they will ever hear, so it drops them
(``_waiters = None``) and never takes a new one.  The waiters are the
future's own business: ``wait()`` and ``as_completed()`` go through
``_add_waiter()`` (install, or hear at once of a future already final) and
``_remove_waiter()`` (which takes no lock once the future is final).
"""

from __future__ import annotations

import logging
import threading
import types
from typing import TYPE_CHECKING, Any, Callable, Generic, Protocol, TypeVar

from minipool import hooks as seam
from minipool.errors import CancelledError, InvalidStateError, TimeoutError
from minipool.versions import HAS_GET_SNAPSHOT, RESULT_RAISES_FALSY_EXCEPTIONS

__all__ = [
    "CANCELLED",
    "CANCELLED_AND_NOTIFIED",
    "CANCELLED_STATES",
    "DONE_STATES",
    "FINAL_STATES",
    "FINISHED",
    "PENDING",
    "RUNNING",
    "Future",
]

# The states, with the standard library's names and values (the values appear
# in InvalidStateError messages, so they are part of the observable behaviour).
PENDING = "PENDING"
RUNNING = "RUNNING"
CANCELLED = "CANCELLED"  # cancel() succeeded; wait()/as_completed() not yet told
CANCELLED_AND_NOTIFIED = "CANCELLED_AND_NOTIFIED"  # ... and now they have been
FINISHED = "FINISHED"  # has a result or an exception

# The state sets, defined here once for every module that reads states.
CANCELLED_STATES = frozenset((CANCELLED, CANCELLED_AND_NOTIFIED))  # cancelled() is true
DONE_STATES = frozenset((CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED))  # done() is true
# The states no future ever leaves, and in which wait() and as_completed()
# count a future as done: its waiters have heard all they ever will.
FINAL_STATES = frozenset((CANCELLED_AND_NOTIFIED, FINISHED))

# How repr() names each state: both cancelled states read "cancelled".
STATE_DESCRIPTIONS = {
    PENDING: "pending",
    RUNNING: "running",
    CANCELLED: "cancelled",
    CANCELLED_AND_NOTIFIED: "cancelled",
    FINISHED: "finished",
}

# Errors in callbacks (and in thread pool initializers) are logged, not
# raised, to the logger the standard library uses, so that logging set up for
# concurrent.futures applies to minipool unchanged.
LOGGER = logging.getLogger("concurrent.futures")

T = TypeVar("T")

if TYPE_CHECKING:

    class _Waiter(Protocol):
        """What a future tells of its completion (implemented in minipool.waiting).

        Each method is called with the future's lock held: it must only record
        the future and wake a thread, never call back into the future.
        """

        def add_result(self, future: Future[Any]) -> None: ...
        def add_exception(self, future: Future[Any]) -> None: ...
        def add_cancelled(self, future: Future[Any]) -> None: ...


def tell_of_final(future: Any, waiter: _Waiter) -> None:
    """Tell *waiter* of *future*, already in a final state, as the future would have.

    For a waiter that came too late to be told by the future itself.  Works
    on the standard library's futures too (the same fields, under the same
    names: see minipool.stdlib_futures).
    """
    if future._state == CANCELLED_AND_NOTIFIED:
        waiter.add_cancelled(future)
    elif future._exception is not None:
        waiter.add_exception(future)
    else:
        waiter.add_result(future)


class Future(Generic[T]):
    """The result of a call that may not have happened yet.

    Created by :meth:`Executor.submit <minipool.Executor.submit>`; users read
    it with :meth:`result`, :meth:`exception`, :meth:`done` and
    :meth:`add_done_callback`, and may :meth:`cancel` it while it waits in
    the queue.  Behaves exactly as :class:`concurrent.futures.Future`,
    including ``repr()``::

        >>> from minipool import Future
        >>> f = Future()
        >>> f.set_result(8)
        >>> f.result(), f.done()
        (8, True)
        >>> repr(f).endswith("state=finished returned int>")
        True

    ``Future`` is generic: ``Future[int]`` is the type of a future whose
    result is an ``int``.
    """

    # Fast path, and a memory saving: __slots__ instead of a per-instance
    # dictionary.  A pool keeps every pending future alive, and the garbage
    # collector walks all of them again and again while a big batch is being
    # submitted; a slotted future is one small object for it to visit
    # (measured: a third of the time of submit() went to the collector).
    # "__dict__" keeps the standard library's freedom to set attributes of
    # your own on a future (future.url = url), and "__weakref__" its weak
    # references; the dictionary is only made if you do set one.
    __slots__ = (
        "__dict__",
        "__weakref__",
        "_done_callbacks",
        "_done_condition",
        "_exception",
        "_result",
        "_state",
        "_state_lock",
        "_waiters",
    )

    def __init__(self) -> None:
        """Initializes the future. Should not be called by clients."""
        # _state_lock guards every field below.  It is never held while user
        # code runs (see the module docstring).
        self._state_lock = threading.Lock()
        self._state = PENDING
        self._result: Any = None
        self._exception: BaseException | None = None
        # Fast path: the three fields below stay None until they are needed.
        # Most futures are never waited on one by one, never get a callback
        # and never meet wait()/as_completed(); lists and a Condition made for
        # each future would be allocated, and walked by the garbage collector,
        # for nothing.  Measured (benchmarks/fast_paths.py, 3.13): a future
        # costs 243 ns to make, 711 ns with its Condition and lists up front.
        #
        # Installed by wait()/as_completed(); told of completion under the
        # lock; dropped (None again) once the future is in a final state.
        self._waiters: list[_Waiter] | None = None
        # Called, in order, once the future is done, without the lock.
        self._done_callbacks: list[Callable[[Future[T]], object]] | None = None
        # Threads blocked in result()/exception() wait on this condition,
        # which wraps _state_lock; notified when the future becomes done.
        # Built by the first thread that has to block.
        self._done_condition: threading.Condition | None = None

    # -- reading the future ------------------------------------------------

    def __repr__(self) -> str:
        with self._state_lock:
            state = self._state
            result = self._result
            exception = self._exception
        # Formatted outside the lock: the result's class is user code.
        name = self.__class__.__name__
        description = STATE_DESCRIPTIONS[state]
        if state == FINISHED:
            # The standard library tests the exception's truth value here and
            # in result(), not "is not None"; so do we, to stay identical.
            if exception:
                return "<%s at %#x state=%s raised %s>" % (
                    name,
                    id(self),
                    description,
                    exception.__class__.__name__,
                )
            return "<%s at %#x state=%s returned %s>" % (
                name,
                id(self),
                description,
                result.__class__.__name__,
            )
        return "<%s at %#x state=%s>" % (name, id(self), description)

    if HAS_GET_SNAPSHOT:

        def _get_snapshot(self) -> tuple[bool, bool, Any, BaseException | None]:
            """``(done, cancelled, result, exception)``, read under one lock (3.15+).

            A future that is not done reads ``(False, False, None, None)``, a
            cancelled one ``(True, True, None, None)``.
            """
            with self._state_lock:
                if self._state == FINISHED:
                    return True, False, self._result, self._exception
                if self._state in CANCELLED_STATES:
                    return True, True, None, None
                return False, False, None, None

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
        """Return the result of the call, waiting up to *timeout* seconds for it.

        Raises :class:`~minipool.CancelledError` if the future was cancelled,
        :class:`~minipool.TimeoutError` if it is not done within *timeout*
        seconds (``None``, the default, waits for ever), and re-raises the
        call's exception if it raised one.
        """
        lock = self._state_lock
        lock.acquire()  # a hot path: see "Locking" in the module docstring
        try:
            if self._state != FINISHED:
                self._wait_until_finished(timeout)
            if self._exception is not None and (RESULT_RAISES_FALSY_EXCEPTIONS or self._exception):
                raise self._exception
            result: T = self._result
            return result
        finally:
            lock.release()
            # The traceback of a re-raised exception holds this frame, and the
            # future holds the exception: drop "self" to break the cycle.
            del self

    def exception(self, timeout: float | None = None) -> BaseException | None:
        """Return the exception raised by the call, or None if it returned.

        Waits up to *timeout* seconds, like :meth:`result`, and raises
        :class:`~minipool.CancelledError` or :class:`~minipool.TimeoutError`
        in the same cases.
        """
        with self._state_lock:
            self._wait_until_finished(timeout)
            return self._exception

    def _wait_until_finished(self, timeout: float | None) -> None:
        """Return once the future is FINISHED; raise if it is cancelled or *timeout* passes.

        Called, and returns, with _state_lock held.
        """
        if self._state != FINISHED and self._state not in CANCELLED_STATES:
            condition = self._done_condition
            if condition is None:
                condition = self._done_condition = threading.Condition(self._state_lock)
            watcher = seam.blocking_watcher
            if timeout is None and watcher is not None:
                # Debug mode (through the seam): the same wait, watched for a deadlock.
                watcher.wait_for_future(self, condition)
            else:
                # One wait, not a loop: the condition is only notified when
                # the future becomes done, and Python's Condition has no
                # spurious wake-ups.  Condition.wait also gives the standard
                # library's handling of odd timeouts (negative: do not block;
                # wrong type: TypeError).
                condition.wait(timeout)
        if self._state in CANCELLED_STATES:
            raise CancelledError()
        if self._state != FINISHED:
            raise TimeoutError()

    def add_done_callback(self, fn: Callable[[Future[T]], object]) -> None:
        """Arrange for ``fn(future)`` to be called when the future is done.

        Callbacks run in the order they were added, in the thread that
        completes or cancels the future; if the future is already done, *fn*
        is called at once in this thread.  An :class:`Exception` raised by
        *fn* is logged (logger ``"concurrent.futures"``) and otherwise ignored.
        """
        with self._state_lock:
            if self._state not in DONE_STATES:
                if self._done_callbacks is None:
                    self._done_callbacks = [fn]
                else:
                    self._done_callbacks.append(fn)
                return
        self._call_callback(fn)

    def _call_callback(self, fn: Callable[[Future[T]], object]) -> None:
        try:
            fn(self)
        except Exception:
            LOGGER.exception("exception calling callback for %r", self)

    def _invoke_callbacks(self) -> None:
        # Called once, after the future became done and the lock was released.
        # No callback can be added from now on, so the list no longer changes.
        for callback in self._done_callbacks or ():
            self._call_callback(callback)

    # -- the waiters of wait() and as_completed() ----------------------------

    def _add_waiter(self, waiter: _Waiter) -> None:
        """Install *waiter*, or, if the future is in a final state, tell it now.

        Either way the waiter hears of this future's completion exactly once:
        from the future later, under the lock, or from this call.  Used by
        :mod:`minipool.waiting` only.
        """
        lock = self._state_lock
        lock.acquire()  # a hot path: see "Locking" in the module docstring
        try:
            if self._state not in FINAL_STATES:
                if self._waiters is None:
                    self._waiters = [waiter]
                else:
                    self._waiters.append(waiter)
                return
        finally:
            lock.release()
        # Final: it will tell nobody again, so tell the waiter as it would
        # have.  Without the lock: the fields of a final future never change.
        tell_of_final(self, waiter)

    def _remove_waiter(self, waiter: _Waiter) -> None:
        """Take *waiter* out again, unless the future has dropped it already."""
        # Fast path: a future in a final state has dropped all its waiters,
        # and _waiters stays None from then on, so there is nothing to remove
        # and no lock to take (40 ns instead of 203 ns, benchmarks/fast_paths.py;
        # wait() and as_completed() do it once per future).  Read without the
        # lock: on any build, a stale read can only see the list, and the
        # check below under the lock decides.
        if self._waiters is None:
            return
        with self._state_lock:
            if self._waiters is not None:
                # Still pending, or CANCELLED and not yet notified: ours is there.
                self._waiters.remove(waiter)

    # -- moving the future through its states -------------------------------

    def cancel(self) -> bool:
        """Cancel the future if it has not started; return whether it is cancelled.

        Returns False if the call is running or finished, True if it was
        already cancelled or is cancelled now (PENDING -> CANCELLED).
        """
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
        """Mark the future as running, or tell the waiters it was cancelled.

        For executors (and tests), called just before the call starts.
        PENDING -> RUNNING and returns True: run the call.  CANCELLED ->
        CANCELLED_AND_NOTIFIED, tells the waiters of :func:`~minipool.wait`
        and :func:`~minipool.as_completed`, and returns False: skip the call.
        In any other state it logs a critical message and raises
        :class:`RuntimeError`.
        """
        lock = self._state_lock
        lock.acquire()  # a hot path: see "Locking" in the module docstring
        try:
            if self._state == PENDING:
                self._state = RUNNING
                return True
            if self._state == CANCELLED:
                self._state = CANCELLED_AND_NOTIFIED
                if self._waiters:
                    for waiter in self._waiters:
                        waiter.add_cancelled(self)
                # A final state: no waiter will be told anything again.
                self._waiters = None
                # Blocked threads were already woken by cancel().
                return False
            state = self._state
        finally:
            lock.release()
        LOGGER.critical("Future %s in unexpected state: %s", id(self), state)
        raise RuntimeError("Future in unexpected state")

    def set_result(self, result: T) -> None:
        """Set the call's return value: -> FINISHED (for executors and tests).

        Raises :class:`~minipool.InvalidStateError` if the future is already done.
        """
        self._finish(result, None, False)  # positional: a hot path

    def set_exception(self, exception: BaseException | None) -> None:
        """Set the exception the call raised: -> FINISHED (for executors and tests).

        Raises :class:`~minipool.InvalidStateError` if the future is already done.
        """
        self._finish(None, exception, True)

    def _finish(self, result: Any, exception: BaseException | None, raised: bool) -> None:
        """PENDING or RUNNING -> FINISHED; tell waiters, blocked threads, callbacks."""
        lock = self._state_lock
        lock.acquire()  # a hot path: see "Locking" in the module docstring
        try:
            state = self._state
            if state not in DONE_STATES:
                self._result = result
                self._exception = exception
                self._state = FINISHED
                if self._waiters:
                    for waiter in self._waiters:
                        if raised:
                            waiter.add_exception(self)
                        else:
                            waiter.add_result(self)
                # A final state: no waiter will be told anything again.
                self._waiters = None
                if self._done_condition is not None:
                    self._done_condition.notify_all()
        finally:
            lock.release()
        if state in DONE_STATES:
            # The message holds repr(self), which takes the lock: built here.
            raise InvalidStateError("{}: {!r}".format(state, self))
        if self._done_callbacks:
            self._invoke_callbacks()

    # Future[int] at run time is a types.GenericAlias, as in the standard
    # library (typing.Generic alone would make it a typing._GenericAlias).
    __class_getitem__ = classmethod(types.GenericAlias)  # type: ignore[var-annotated]
