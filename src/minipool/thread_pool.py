"""The thread pool: :class:`ThreadPoolExecutor` and its workers.

The data flow fits in one line::

    submit()  --(future, fn, args, kwargs, watch)-->  _work_queue  -->  worker runs fn, fills future

``None`` on the queue is a *wake-up*: a worker that takes one checks whether
to exit (the pool shut down or garbage collected, the interpreter exiting),
and one that exits puts it back for the next.  Extras attach through the
pool's ``_hooks`` (:mod:`minipool.hooks`), None for a plain pool.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import os
import queue
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Literal, NoReturn, Tuple, TypeVar

from minipool.errors import BrokenThreadPool, InvalidStateError
from minipool.executor import Executor
from minipool.future import LOGGER, Future
from minipool.versions import COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY as COUNT_IDLE_WHEN_EMPTY
from minipool.versions import HAS_WORKER_CONTEXT, KEYWORDS_CHECKED_BY, cpu_count

if TYPE_CHECKING:
    from typing_extensions import ParamSpec, TypeAlias

    from minipool.hooks import CallWatch, PoolHooks
    from minipool.worker_context import WorkerContext

    P = ParamSpec("P")

T = TypeVar("T")
# One unit of work: a tuple, the cheapest object to make once per submit().
_Work: TypeAlias = Tuple[
    Future[Any], Callable[..., Any], Tuple[Any, ...], "dict[str, Any]", "CallWatch | None"
]
_Queue: TypeAlias = "queue.SimpleQueue[_Work | None]"
_PoolRef: TypeAlias = "weakref.ref[ThreadPoolExecutor]"

# The timeline's widening of every pool's hooks, or None.  Written by hear_every_pool()
# only, read without a lock: a reference is read whole on any build (stale: a moment earlier).
every_pool: Callable[[PoolHooks | None], PoolHooks] | None = None


def hear_every_pool(widen: Callable[[PoolHooks | None], PoolHooks] | None) -> None:
    """From now on, every pool's ``submit()`` uses ``widen(pool._hooks)`` (None: stop)."""
    global every_pool
    every_pool = widen


# -- interpreter exit -----------------------------------------------------
# Workers are not daemons: as the interpreter exits, _join_workers_at_exit wakes
# them all and waits, so queued work still runs.  _global_shutdown_lock guards
# _interpreter_exiting and _live_workers (worker key -> thread, its pool's queue
# and _shutdown_lock, held to queue the wake-up after a locked submit()).
_global_shutdown_lock = threading.Lock()
_interpreter_exiting = False
_live_workers: dict[object, tuple[threading.Thread, _Queue, threading.Lock]] = {}


def _join_workers_at_exit() -> None:
    """Wake every worker, then wait for all of them (once, as the interpreter exits)."""
    global _interpreter_exiting
    with _global_shutdown_lock:
        _interpreter_exiting = True
        workers = list(_live_workers.values())
    for _thread, work_queue, pool_lock in workers:
        with pool_lock:
            work_queue.put(None)
    for thread, _queue, _lock in workers:
        thread.join()


# Private, as the standard library uses it: it runs before Python joins
# non-daemon threads (atexit runs after).  vars(): type checkers know it not.
vars(threading)["_register_atexit"](_join_workers_at_exit)


def _after_fork_in_child() -> None:
    _global_shutdown_lock.release()
    _live_workers.clear()  # the child has none of the parent's threads


# The forking thread holds the lock across fork(): the child's copy is held by it.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_global_shutdown_lock.acquire,
        after_in_parent=_global_shutdown_lock.release,
        after_in_child=_after_fork_in_child,
    )


# -- the worker -----------------------------------------------------------
def _worker(
    key: object,
    pool_ref: _PoolRef,
    work_queue: _Queue,
    hooks: PoolHooks | None,
    *,
    initialize: Callable[[], object] | None,
    context: WorkerContext | None,
) -> None:
    """Take work and run it until told to exit.  The pool is held by a weak
    reference, a moment at a time, so that an unused pool can be collected."""
    try:
        if initialize is not None:
            initialize()
    except BaseException:
        LOGGER.critical("Exception in initializer:", exc_info=True)
        _forget_worker(key)
        pool = pool_ref()
        if pool is not None:
            pool._initializer_failed()
        return
    try:
        while True:
            if hooks is not None:
                hooks.worker_waiting()
            work = _take_work(pool_ref, work_queue)
            if work is None:  # a wake-up: exit, or wait again
                if _should_exit(pool_ref, work_queue):
                    return
                continue
            _run(work, context)
            del work  # before blocking again: its caller may wait for its arguments to go
            if not COUNT_IDLE_WHEN_EMPTY:
                _count_idle(pool_ref)
    except BaseException:  # around a call: a callback's, or InvalidStateError
        LOGGER.critical("Exception in worker", exc_info=True)
    finally:
        try:
            if context is not None:
                context.finalize()
        finally:
            _forget_worker(key)


def _run(work: _Work, context: WorkerContext | None) -> None:
    """Run one call and fill its future: PENDING -> RUNNING -> FINISHED, or skip it."""
    future, fn, args, kwargs, watch = work
    if not future.set_running_or_notify_cancel():  # CANCELLED -> CANCELLED_AND_NOTIFIED
        if watch is not None:
            watch.skipped()
        return
    if watch is not None:
        watch.started()
    try:
        result = fn(*args, **kwargs) if context is None else context.run(fn)
    except BaseException as exc:  # KeyboardInterrupt too: it goes to the caller
        if watch is not None:
            watch.ended("raised")
        future.set_exception(exc)
        # The traceback holds this frame, the future the exception: drop the call now.
        del work, future, fn, args, kwargs, watch
    else:
        if watch is not None:
            watch.ended("returned")
        future.set_result(result)


def _take_work(pool_ref: _PoolRef, work_queue: _Queue) -> _Work | None:
    """The next work or wake-up (None), blocking until there is one."""
    if COUNT_IDLE_WHEN_EMPTY:
        try:
            return work_queue.get_nowait()
        except queue.Empty:
            _count_idle(pool_ref)
    return work_queue.get()


def _count_idle(pool_ref: _PoolRef) -> None:
    pool = pool_ref()
    if pool is not None:
        # No lock: append() and submit()'s pop() are each one step on any build.
        pool._idle_tokens.append(None)


def _should_exit(pool_ref: _PoolRef, work_queue: _Queue) -> bool:
    """A wake-up: exit if the interpreter is exiting, or the pool is gone or shut down?"""
    # No lock: each flag was set before the wake-up was queued (the queue orders the two).
    pool = pool_ref()
    if not (_interpreter_exiting or pool is None or pool._shutdown):
        return False
    if pool is not None:
        pool._shutdown = True  # refuse work early; unlocked, as there: False -> True only
    work_queue.put(None)  # pass the wake-up on to the next worker
    return True


def _forget_worker(key: object) -> None:
    with _global_shutdown_lock:
        _live_workers.pop(key, None)


def signature_without_ctxkwargs(function: Callable[..., Any]) -> inspect.Signature:
    """*function*'s signature without its ``**`` parameter (``__init__`` before 3.14)."""
    signature = inspect.signature(function)
    kept = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    return signature.replace(parameters=kept)


# -- the pool -------------------------------------------------------------
class ThreadPoolExecutor(Executor):
    """The plain pool; users import its subclass :class:`minipool.ThreadPoolExecutor`."""

    _counter = itertools.count().__next__  # numbers the pools named by default
    # The futures it makes, the error of a broken pool: minipool.dropin's are the stdlib's.
    _future_type: type[Future[Any]] = Future
    _broken_type: type[BaseException] = BrokenThreadPool

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        **ctxkwargs: Any,
    ) -> None:
        if ctxkwargs and not HAS_WORKER_CONTEXT:  # Python's own check of the call: first
            raise _unexpected_keyword(ctxkwargs)
        if max_workers is None:
            max_workers = min(32, (cpu_count() or 1) + 4)  # threads mostly wait on I/O
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        # A subclass's worker contexts (3.14+): None unless it overrides prepare_context().
        self._create_worker_context: Callable[[], WorkerContext] | None = None
        self._resolve_work_item_task: Callable[..., Any] | None = None
        if HAS_WORKER_CONTEXT and _overrides_prepare_context(type(self)):
            contexts = type(self).prepare_context(initializer, initargs, **ctxkwargs)
            self._create_worker_context, self._resolve_work_item_task = contexts
        elif ctxkwargs:  # what the default prepare_context() refuses (3.14+)
            raise _unexpected_keyword(ctxkwargs)
        elif initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        self._max_workers = max_workers
        self._thread_name_prefix = thread_name_prefix or ("ThreadPoolExecutor-%d" % self._counter())
        self._initializer = initializer
        self._initargs = initargs
        self._work_queue: _Queue = queue.SimpleQueue()  # thread-safe by itself
        self._idle_tokens: list[None] = []  # one per idle worker, not handed work since
        # _shutdown_lock guards the writes to _shutdown and _broken, and _threads;
        # a plain submit() only reads the two flags, without it (see submit()).
        self._shutdown_lock = threading.Lock()
        self._shutdown = False  # no new work: shutdown() was called, or workers exited
        self._broken: Literal[False] | str = False  # or the BrokenThreadPool message
        self._threads: set[threading.Thread] = set()
        self._hooks: PoolHooks | None = None  # the extras', set before any submit()

    if HAS_WORKER_CONTEXT:
        BROKEN = BrokenThreadPool  # 3.14's class attribute: the error of a broken pool

        @classmethod
        def prepare_context(
            cls, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
        ) -> tuple[Callable[[], Any], Callable[..., Any]]:
            """How workers run calls (3.14+): see :mod:`minipool.worker_context`."""
            from minipool.worker_context import WorkerContext

            return WorkerContext.prepare(initializer, initargs)
    else:  # no **ctxkwargs before 3.14: the signature shows none
        __init__.__dict__["__signature__"] = signature_without_ctxkwargs(__init__)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Schedule ``fn(*args, **kwargs)`` in a worker; return its future.  Raises
        :class:`RuntimeError` after :meth:`shutdown` or as the interpreter exits,
        :class:`~minipool.BrokenThreadPool` once an initializer failed."""
        hooks = self._hooks if every_pool is None else every_pool(self._hooks)
        if hooks is not None:
            return self._submit_with_hooks(hooks, fn, args, kwargs)
        # Fast path: no lock (8 threads submitting at once: 9x the standard library's
        # calls/s on 3.9, 18x on 3.13; 2.5x and 3.1x with it).  shutdown() sets _shutdown,
        # then queues the wake-up that ends the workers: a call queued while the flag
        # still reads False is ahead of it (the queue's lock orders the two, any build).
        if self._broken or self._shutdown or _interpreter_exiting:
            self._refuse()
        future: Future[T] = self._future_type()
        work: _Work = (future, fn, args, kwargs, None)
        if self._resolve_work_item_task is not None:  # a subclass's worker contexts
            work = (future, self._resolve_work_item_task(fn, args, kwargs), (), {}, None)
        self._work_queue.put(work)
        if self._broken or self._shutdown or _interpreter_exiting:
            self._take_back(future)
        elif not self._pop_idle_token() and len(self._threads) < self._max_workers:
            self._add_worker(future)
        return future

    def _take_back(self, future: Future[Any]) -> None:
        """Refuse a call queued as the pool closed (maybe behind the last wake-up), unless a
        worker took it; it stays queued, cancelled, till the pool is collected."""
        if future.cancel():  # PENDING -> CANCELLED: a worker that meets it skips it
            self._refuse()

    def _pop_idle_token(self) -> bool:
        """An idle worker will take the call just queued: take its token (no lock needed)."""
        # Fast path: look first (9 ns): a raised IndexError costs 188 ns (as_completed 10%).
        if not self._idle_tokens:
            return False
        try:
            self._idle_tokens.pop()  # one step on any build: two submitters never get one
        except IndexError:  # another submitter took the last one meanwhile
            return False
        return True

    def _add_worker(self, future: Future[Any]) -> None:
        """Start a worker for *future*'s call, just queued (ahead of any wake-up)."""
        with self._shutdown_lock:
            if self._broken or self._shutdown or _interpreter_exiting:
                if not self._threads:  # closed since, and no worker will take the call
                    self._take_back(future)
            elif len(self._threads) < self._max_workers:
                self._start_worker()

    def _submit_with_hooks(
        self, hooks: PoolHooks, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Future[T]:
        """``submit()`` with extras: the same steps under the lock, each moment told to *hooks*."""
        fn, args, kwargs = hooks.prepare(fn, args, kwargs)
        with self._shutdown_lock:
            if self._broken or self._shutdown or _interpreter_exiting:
                self._refuse()
            run_instead = hooks.admit()
            if self._broken or self._shutdown or _interpreter_exiting:
                self._refuse()  # admit() waited for room, releasing the lock meanwhile
            if run_instead is None:
                future: Future[T] = self._future_type()
                watch = hooks.queued(future)
                if self._resolve_work_item_task is not None:  # a subclass's worker contexts
                    fn, args, kwargs = self._resolve_work_item_task(fn, args, kwargs), (), {}
                self._work_queue.put((future, fn, args, kwargs, watch))
                if not self._pop_idle_token() and len(self._threads) < self._max_workers:
                    self._start_worker()
                return future
        return run_instead(fn, args, kwargs)  # with the lock released: it is user code

    def _refuse(self) -> NoReturn:
        if self._broken:
            raise self._broken_error()
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        raise RuntimeError("cannot schedule new futures after interpreter shutdown")

    def _broken_error(self) -> BaseException:
        error_type = getattr(self, "BROKEN", self._broken_type)  # 3.14's attribute first
        error: BaseException = error_type(self._broken)
        return error

    def _start_worker(self) -> None:
        """Start one more worker thread.  Lock held."""

        # Wakes the workers when the pool is collected: must not refer to it.
        def wake_workers(_: object, work_queue: _Queue = self._work_queue) -> None:
            work_queue.put(None)

        context = None if self._create_worker_context is None else self._create_worker_context()
        initialize: Callable[[], object] | None = None
        if context is not None:
            initialize = context.initialize
        elif self._initializer is not None:
            initialize = functools.partial(self._initializer, *self._initargs)
        key = object()  # the worker's key in _live_workers
        pool_ref = weakref.ref(self, wake_workers)
        thread = threading.Thread(
            name="%s_%d" % (self._thread_name_prefix or self, len(self._threads)),
            target=_worker,
            args=(key, pool_ref, self._work_queue, self._hooks),
            kwargs={"initialize": initialize, "context": context},
        )
        if self._hooks is not None:
            self._hooks.worker_added(thread)
        with _global_shutdown_lock:
            thread.start()
            self._threads.add(thread)
            _live_workers[key] = (thread, self._work_queue, self._shutdown_lock)
            if _interpreter_exiting:
                self._wake_late_worker()

    def _wake_late_worker(self) -> None:
        # Listed after the exit hook made its list: a wake-up of its own, after the call.
        self._work_queue.put(None)

    def _initializer_failed(self) -> None:
        """Break the pool: fail every queued call (a worker calls this, once per failure)."""
        with self._shutdown_lock:
            self._broken = "A thread initializer failed, the thread pool is not usable anymore"
            queued = _drain(self._work_queue)
            if self._hooks is not None:
                self._hooks.drained(queued, broken=True)
        for future in queued:  # without the lock: set_exception() runs callbacks
            try:
                future.set_exception(self._broken_error())
            except InvalidStateError:
                pass  # cancelled meanwhile: it is done already

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new work; the workers exit once the queue is empty.  *cancel_futures*:
        cancel the calls queued; *wait*: return once every worker has exited."""
        with self._shutdown_lock:
            self._shutdown = True
            queued = _drain(self._work_queue) if cancel_futures else []
            if self._hooks is not None:
                self._hooks.drained(queued, broken=False)
            self._work_queue.put(None)  # wakes one worker; each that exits wakes the next
        for future in queued:  # without the lock: cancel() runs callbacks
            future.cancel()
        if wait and self._hooks is not None:
            self._hooks.join_workers(self._threads)
        elif wait:
            for thread in self._threads:
                thread.join()


def _overrides_prepare_context(cls: type[ThreadPoolExecutor]) -> bool:
    """Does a class between *cls* and the plain pool define prepare_context() (3.14+)?"""
    below_the_plain_pool = cls.__mro__[: cls.__mro__.index(ThreadPoolExecutor)]
    return any("prepare_context" in vars(klass) for klass in below_the_plain_pool)


def _unexpected_keyword(ctxkwargs: dict[str, Any]) -> TypeError:
    """The error Python gives a call with a keyword argument the function does not take."""
    name = next(iter(ctxkwargs))
    return TypeError("%s() got an unexpected keyword argument %r" % (KEYWORDS_CHECKED_BY, name))


def _drain(work_queue: _Queue) -> list[Future[Any]]:
    """Take every call out of *work_queue* now, dropping wake-ups; return their futures."""
    drained: list[Future[Any]] = []
    while True:
        try:
            work = work_queue.get_nowait()
        except queue.Empty:
            return drained
        if work is not None:
            drained.append(work[0])
