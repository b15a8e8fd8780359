"""The thread pool: :class:`ThreadPoolExecutor` and its worker threads.

The data flow fits in one line::

    submit()  --(future, fn, args, kwargs, watch)-->  _work_queue  -->  worker runs fn, fills future

``submit`` checks that the pool is open, creates a :class:`~minipool.Future`,
puts the work on a :class:`queue.SimpleQueue` and, if no worker is idle and
the pool has room, starts one more worker.  Each worker takes work from the
queue for as long as the pool lives: it marks the future RUNNING, calls
``fn``, and fills the future with the result or the exception.  ``None`` on
the queue is a *wake-up*: it makes a blocked worker look at whether it
should exit (the pool was shut down or garbage collected, or the
interpreter is exiting), and a worker that exits puts it back for the next
one.

Idle workers are counted, so that ``submit`` starts a new thread only when
no started one is free.  When a worker counts itself idle differs between
Python versions, and it decides how many threads a pool starts; we follow
the running version (:data:`minipool.versions.COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY`).

This module knows nothing of minipool's extras.  A pool announces the
moments of its calls to its *hooks* (``_hooks``, None for a plain pool) and
each call's *watch* (``None`` unless an extra asked for one); the extras
implement those moments in their own modules (see :mod:`minipool.hooks`).
A plain pool pays one ``is None`` check per moment.

Worker threads are not daemons.  At interpreter exit, before Python joins
non-daemon threads, ``_join_workers_at_exit`` wakes every worker and waits for
it: work already submitted still runs, new work is refused.
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

from minipool import hooks as seam
from minipool.errors import BrokenThreadPool, InvalidStateError
from minipool.executor import Executor
from minipool.future import LOGGER, Future
from minipool.hooks import QUEUE, CallWatch, PoolHooks
from minipool.versions import (
    COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY,
    HAS_WORKER_CONTEXT,
    INIT_ERRORS_NAME_QUALNAME,
    cpu_count,
)
from minipool.worker_context import WorkerContext

if TYPE_CHECKING:
    from typing_extensions import ParamSpec, TypeAlias

    P = ParamSpec("P")

__all__ = ["ThreadPoolExecutor"]

T = TypeVar("T")

# One unit of work on the queue: the future to fill, the call to make, and
# the call's watch (None unless an extra asked for one).  A plain tuple
# rather than a class: it is made once per submit(), and a tuple is the
# cheapest object that holds five things.
_Work: TypeAlias = Tuple[
    Future[Any], Callable[..., Any], Tuple[Any, ...], "dict[str, Any]", "CallWatch | None"
]

# -- interpreter exit -----------------------------------------------------
#
# _global_shutdown_lock guards _interpreter_exiting and _live_workers.  It is
# held while a worker is started and registered, so that the exit hook's list
# of workers to join is complete.  submit() does not take it: the hook puts
# its wake-ups on each pool's queue while holding that pool's own
# _shutdown_lock, which submit() holds while it checks _interpreter_exiting
# and queues the work.  So a call is either queued before the wake-up (and
# runs) or refused; it never lands behind a wake-up that ends every worker.
#
# A pool that has no worker yet is not in _live_workers, so the hook never
# takes its lock: a submit() to it may read _interpreter_exiting as False
# just before the hook sets it, and start the pool's first worker just after
# the hook made its list.  _start_worker() checks the flag again, under
# _global_shutdown_lock, and gives such a worker a wake-up of its own (see
# there): it runs the call and exits, and Python's own join of non-daemon
# threads waits for it.
_global_shutdown_lock = threading.Lock()
_interpreter_exiting = False
# Every live worker -> its thread, its pool's work queue and _shutdown_lock.
# A worker is known by a key object of its own, made for it and passed to it
# (its Thread object it would have to look up).  A plain dict: a worker is
# added by _start_worker and takes itself out as it ends, each under
# _global_shutdown_lock.  (A WeakKeyDictionary, as the standard
# library uses, drops entries from weakref callbacks that may run in any
# thread at any time, without our lock, even while the hook copies it.)
_live_workers: dict[
    object, tuple[threading.Thread, queue.SimpleQueue[_Work | None], threading.Lock]
] = {}


def _join_workers_at_exit() -> None:
    """Wake every worker, then wait for all of them (runs once, at interpreter exit)."""
    global _interpreter_exiting
    with _global_shutdown_lock:
        _interpreter_exiting = True
        workers = list(_live_workers.values())
    for _thread, work_queue, pool_lock in workers:
        with pool_lock:
            work_queue.put(None)
    for thread, _queue, _lock in workers:
        thread.join()


# threading._register_atexit runs a function when the interpreter starts to
# exit, *before* it joins non-daemon threads; atexit.register would run after
# that join, which waits for our workers for ever.  It is private, but it is
# what the standard library's pool uses, and it exists on every supported version.
threading._register_atexit(_join_workers_at_exit)  # type: ignore[attr-defined]


# A child process made by fork() gets a copy of the lock in whatever state the
# parent's was: hold it across the fork and make a fresh one in the child.
# The child has none of the parent's threads, so it has no workers to wake or
# join at exit; and a pool's _shutdown_lock may have been copied while held
# by a thread in submit(), so the exit hook must not try to take it there.
# (Each function looks the lock up when it runs: the child's is a new one.)
def _hold_lock_across_fork() -> None:
    _global_shutdown_lock.acquire()


def _release_lock_after_fork() -> None:
    _global_shutdown_lock.release()


def _forget_workers_in_child() -> None:
    global _global_shutdown_lock
    _global_shutdown_lock = threading.Lock()
    _live_workers.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_hold_lock_across_fork,
        after_in_child=_forget_workers_in_child,
        after_in_parent=_release_lock_after_fork,
    )


# -- the worker -----------------------------------------------------------


def _worker(
    key: object,
    pool_ref: weakref.ref[ThreadPoolExecutor],
    work_queue: queue.SimpleQueue[_Work | None],
    hooks: PoolHooks | None,
    *,
    initialize: Callable[[], object] | None,
    context: WorkerContext | None,
) -> None:
    """The body of every worker thread: take work and run it, until told to exit.

    It holds the pool only through a weak reference, and only for a moment at
    a time, so that a pool nobody uses any more can be garbage collected.
    *key* is its key in _live_workers.  *initialize* is the initializer
    with its arguments, or None.  *context* is None unless a subclass has
    worker contexts (3.14's ``prepare_context()``, see
    :mod:`minipool.worker_context`); then it runs the calls, and
    *initialize* is its own.
    """
    if initialize is not None and not _initialize(key, pool_ref, initialize):
        return  # the pool is broken now
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
            # Drop the call before blocking again: its caller may be waiting
            # for the arguments or the result to be released.
            del work
            if not COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY:
                _count_idle(pool_ref)
    except BaseException:
        # Only an error around a call gets here (a done-callback's
        # BaseException, or InvalidStateError when other code completed the
        # future meanwhile).  As in the standard library, the worker ends, logged.
        LOGGER.critical("Exception in worker", exc_info=True)
    finally:
        _worker_ended(key, context)


def _run(work: _Work, context: WorkerContext | None) -> None:
    """Run one call and fill its future: PENDING -> RUNNING -> FINISHED, or skip a cancelled one."""
    future, fn, args, kwargs, watch = work
    if not future.set_running_or_notify_cancel():
        # It was cancelled while queued (CANCELLED -> CANCELLED_AND_NOTIFIED).
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
        # The exception's traceback holds this frame, and the future holds
        # the exception: drop the frame's references, or the call's
        # arguments would live until the garbage collector breaks the cycle.
        del work, future, fn, args, kwargs, watch
    else:
        if watch is not None:
            watch.ended("returned")
        future.set_result(result)


def _initialize(
    key: object, pool_ref: weakref.ref[ThreadPoolExecutor], initialize: Callable[[], object]
) -> bool:
    """Run the worker's initializer; if it raises, break the pool and return False."""
    try:
        initialize()
    except BaseException:
        LOGGER.critical("Exception in initializer:", exc_info=True)
        _forget_worker(key)  # it ran no call: no context to finalize
        pool = pool_ref()
        if pool is not None:
            pool._initializer_failed()
        return False
    return True


def _take_work(
    pool_ref: weakref.ref[ThreadPoolExecutor], work_queue: queue.SimpleQueue[_Work | None]
) -> _Work | None:
    """The next work from the queue, or a wake-up (None); blocks until there is one."""
    if COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY:
        try:
            return work_queue.get_nowait()
        except queue.Empty:
            _count_idle(pool_ref)  # idle: the queue is empty
    return work_queue.get()


def _count_idle(pool_ref: weakref.ref[ThreadPoolExecutor]) -> None:
    pool = pool_ref()
    if pool is not None:
        # One token per idle worker, appended without the pool's lock.  Only
        # submit() takes tokens, under that lock, so a list it finds
        # non-empty stays so until its pop().  list.append and list.pop are
        # each atomic: with the GIL, and on a free-threaded build by the
        # list's own per-object lock.
        pool._idle_tokens.append(None)


def _should_exit(
    pool_ref: weakref.ref[ThreadPoolExecutor], work_queue: queue.SimpleQueue[_Work | None]
) -> bool:
    """A wake-up: exit if the interpreter is exiting, or the pool is gone or shut down.

    The flags are read without a lock: whoever set them did so before
    putting the wake-up on the queue, and the queue's own lock orders the
    two (with the GIL and without it).
    """
    pool = pool_ref()
    if not (_interpreter_exiting or pool is None or pool._shutdown):
        return False
    if pool is not None:
        # Refuse new work as early as possible.  Written without
        # _shutdown_lock, as the standard library does: it only ever goes
        # from False to True, and submit() refuses anyway once the
        # interpreter is exiting or the pool was shut down.
        pool._shutdown = True
    work_queue.put(None)  # pass the wake-up on to the next worker
    return True


def _worker_ended(key: object, context: WorkerContext | None) -> None:
    """Finalize the worker's context; take the worker out of _live_workers."""
    try:
        if context is not None:
            context.finalize()
    finally:
        _forget_worker(key)


def _forget_worker(key: object) -> None:
    """Take an ending worker out of _live_workers: the exit hook need not wake or join it."""
    with _global_shutdown_lock:
        _live_workers.pop(key, None)


def _run_here(fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Future[T]:
    """Run a call in this thread and return its future, done (an extra said RUN_HERE).

    One difference from a worker: KeyboardInterrupt and SystemExit go into
    the future *and* on up the caller's stack, since this thread, unlike a
    worker, is one that Ctrl-C or sys.exit() is meant to stop.
    """
    future: Future[T] = Future()
    future.set_running_or_notify_cancel()  # PENDING -> RUNNING: nobody else has it yet
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:
        future.set_exception(exc)
    except BaseException as exc:
        future.set_exception(exc)
        raise
    else:
        future.set_result(result)
    return future


# -- the pool -------------------------------------------------------------


def _refuse_keyword_argument(name: str) -> NoReturn:
    """Raise the TypeError that Python raises for an unknown keyword of __init__ (before 3.14)."""
    function = "ThreadPoolExecutor.__init__" if INIT_ERRORS_NAME_QUALNAME else "__init__"
    raise TypeError("%s() got an unexpected keyword argument %r" % (function, name))


def signature_without_ctxkwargs(function: Callable[..., Any]) -> inspect.Signature:
    signature = inspect.signature(function)
    kept = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    return signature.replace(parameters=kept)


class ThreadPoolExecutor(Executor):
    """The plain thread pool: at most *max_workers* threads run the calls.

    The standard library's :class:`concurrent.futures.ThreadPoolExecutor`,
    rebuilt: the same arguments, defaults, thread names, errors and
    shutdown, and nothing else.  Users import its subclass
    :class:`minipool.ThreadPoolExecutor`, which adds the keyword arguments
    of the extras, and whose documentation describes the arguments.

    Two private attributes that widely used libraries read are kept with the
    standard library's meaning: ``_max_workers`` and ``_threads`` (the set of
    worker threads started so far).
    """

    # Numbers the pools that get the default thread name prefix.
    _counter = itertools.count().__next__

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        **ctxkwargs: Any,
    ) -> None:
        if max_workers is None:
            # Threads mostly wait on I/O or on code that releases the GIL, so
            # a few more than the CPUs; capped so that big machines do not
            # start hundreds of threads.
            max_workers = min(32, (cpu_count() or 1) + 4)
        if max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        # A subclass's worker contexts (3.14+, see minipool.worker_context):
        # both None unless it overrides prepare_context().
        self._create_worker_context: Callable[[], WorkerContext] | None = None
        self._resolve_work_item_task: Callable[..., Any] | None = None
        if HAS_WORKER_CONTEXT:
            # Checks the initializer, and refuses unknown keyword arguments,
            # with the standard library's errors.
            create, resolve = type(self).prepare_context(initializer, initargs, **ctxkwargs)
            if _overrides_prepare_context(type(self)):
                self._create_worker_context = create
                self._resolve_work_item_task = resolve
        else:
            if ctxkwargs:
                _refuse_keyword_argument(next(iter(ctxkwargs)))
            if initializer is not None and not callable(initializer):
                raise TypeError("initializer must be a callable")

        self._max_workers = max_workers
        self._thread_name_prefix = thread_name_prefix or ("ThreadPoolExecutor-%d" % self._counter())
        self._initializer = initializer
        self._initargs = initargs
        # The work waiting for a worker, and wake-ups (None).  SimpleQueue is
        # thread-safe by itself: no lock of ours guards it.
        self._work_queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        # One token per worker that counted itself idle and has not been
        # handed work by submit() since.  Workers append; submit() pops,
        # holding _shutdown_lock.
        self._idle_tokens: list[None] = []
        # _shutdown_lock guards _shutdown, _broken and _threads, and makes
        # submit() atomic with respect to shutdown() and a failing initializer:
        # no work is queued after the queue was drained or the wake-up sent.
        self._shutdown_lock = threading.Lock()
        self._shutdown = False  # no new work: shutdown() was called, or workers exited
        # False, or the message of the BrokenThreadPool error once an
        # initializer failed.
        self._broken: Literal[False] | str = False
        self._threads: set[threading.Thread] = set()
        # What hears this pool's moments (minipool.hooks): None for a plain
        # pool.  Set once, before the first submit(), by whoever made the
        # pool with extras (minipool.extended); read without a lock.
        self._hooks: PoolHooks | None = None

    if HAS_WORKER_CONTEXT:
        # 3.14's class attribute: the error of a broken pool.
        BROKEN = BrokenThreadPool

        @classmethod
        def prepare_context(
            cls, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
        ) -> tuple[Callable[[], Any], Callable[..., Any]]:
            """How workers set up and run calls: override in a subclass (Python 3.14+).

            Returns ``(create_context, resolve_task)``; see
            :mod:`minipool.worker_context`.  Keyword arguments of the
            constructor that it does not know are passed here.
            """
            return WorkerContext.prepare(initializer, initargs)
    else:
        # Before 3.14 there is no **ctxkwargs: the signature shows none.
        __init__.__dict__["__signature__"] = signature_without_ctxkwargs(__init__)

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Schedule ``fn(*args, **kwargs)`` to run in a worker and return its future.

        Raises :class:`RuntimeError` after :meth:`shutdown` or once the
        interpreter is exiting, and :class:`~minipool.BrokenThreadPool` once
        an initializer has failed.
        """
        hooks = self._hooks
        if seam.everywhere is not None:  # a timeline recording is on
            hooks = seam.combine(hooks, seam.everywhere)
        # The call to queue (an extra may replace it, as copy_context does).
        call: Callable[..., Any]
        call_args: tuple[Any, ...]
        call_kwargs: dict[str, Any]
        if hooks is None:
            call, call_args, call_kwargs = fn, args, kwargs
        else:
            call, call_args, call_kwargs = hooks.prepare(fn, args, kwargs)
        with self._shutdown_lock:
            if self._broken or self._shutdown or _interpreter_exiting:
                self._raise_refused()  # (_interpreter_exiting: see "interpreter exit")
            verdict = QUEUE
            if hooks is not None:
                # May wait for room (a bounded queue), releasing the lock
                # meanwhile: then the pool may have stopped taking work.
                verdict = hooks.admit()
                if self._broken or self._shutdown or _interpreter_exiting:
                    self._raise_refused()
            if verdict == QUEUE:
                if self._resolve_work_item_task is not None:  # a subclass's worker contexts
                    call = self._resolve_work_item_task(call, call_args, call_kwargs)
                    call_args, call_kwargs = (), {}
                future: Future[T] = Future()
                watch = None if hooks is None else hooks.queued(future)
                self._work_queue.put((future, call, call_args, call_kwargs, watch))
                # Start a worker only if none is idle and the pool has room.
                if self._idle_tokens:
                    self._idle_tokens.pop()  # that idle worker will take the new work
                elif len(self._threads) < self._max_workers:
                    self._start_worker()
                # else the work waits in the queue for a busy worker
                return future
        # An extra said RUN_HERE: run it in this thread, with the lock
        # released (it is user code).
        return _run_here(call, call_args, call_kwargs)

    def _raise_refused(self) -> NoReturn:
        """Raise why submit() refuses work: broken, shut down, or the interpreter exiting."""
        if self._broken:
            raise _broken_error(self)(self._broken)
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        raise RuntimeError("cannot schedule new futures after interpreter shutdown")

    def _start_worker(self) -> None:
        """Start one more worker thread.  Called by submit() with _shutdown_lock held."""

        # When the pool is garbage collected, this callback wakes the workers
        # so that they see it is gone and exit.  It must not refer to the pool.
        def wake_workers(_: object, work_queue: queue.SimpleQueue[Any] = self._work_queue) -> None:
            work_queue.put(None)

        context = None if self._create_worker_context is None else self._create_worker_context()
        if context is not None:
            initialize: Callable[[], object] | None = context.initialize
        elif self._initializer is not None:
            initialize = functools.partial(self._initializer, *self._initargs)
        else:
            initialize = None
        key = object()  # the worker's key in _live_workers
        thread = threading.Thread(
            name="%s_%d" % (self._thread_name_prefix or self, len(self._threads)),
            target=_worker,
            args=(key, weakref.ref(self, wake_workers), self._work_queue, self._hooks),
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
        """Give a worker started after the exit hook made its list a wake-up of its own.

        submit() saw _interpreter_exiting down, the exit hook has raised it
        since and listed the live workers without this one (see "interpreter
        exit" above).  The call is already queued, and this wake-up goes
        after it (submit() holds the pool's lock): the worker runs the call,
        then exits.
        """
        self._work_queue.put(None)

    def _initializer_failed(self) -> None:
        """Break the pool: fail every queued call (a worker calls this, once per failure)."""
        with self._shutdown_lock:
            self._broken = "A thread initializer failed, the thread pool is not usable anymore"
            queued = _drain(self._work_queue)
            if self._hooks is not None:
                self._hooks.drained([future for future, *_ in queued], broken=True)
        # Outside the lock: set_exception() runs the futures' callbacks.
        for future, *_ in queued:
            try:
                future.set_exception(_broken_error(self)(self._broken))
            except InvalidStateError:
                pass  # cancelled meanwhile: it is done already

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new work, and let the workers exit once the queue is empty.

        With *cancel_futures*, the calls still in the queue are cancelled
        instead of run.  With *wait* (the default), return only when every
        worker thread has exited, that is when all the work they took has
        finished.  Safe to call more than once.
        """
        with self._shutdown_lock:
            self._shutdown = True
            queued = _drain(self._work_queue) if cancel_futures else []
            if self._hooks is not None:
                self._hooks.drained([future for future, *_ in queued], broken=False)
            # Wake one blocked worker; each exiting worker wakes the next.
            self._work_queue.put(None)
        # Outside the lock: cancel() runs the futures' callbacks.
        for future, *_ in queued:
            future.cancel()
        if wait:
            if self._hooks is not None:
                self._hooks.join_workers(self._threads)
            else:
                for thread in self._threads:
                    thread.join()


def _overrides_prepare_context(cls: type[ThreadPoolExecutor]) -> bool:
    """Does *cls*, a subclass, have a prepare_context() of its own (3.14+)?"""
    for klass in cls.__mro__:
        if klass is ThreadPoolExecutor:
            return False
        if "prepare_context" in vars(klass):
            return True
    return False


def _broken_error(pool: ThreadPoolExecutor) -> type[BaseException]:
    """The error of a broken pool: BrokenThreadPool, or (3.14+) the class's BROKEN."""
    error: type[BaseException] = getattr(pool, "BROKEN", BrokenThreadPool)
    return error


def _drain(work_queue: queue.SimpleQueue[_Work | None]) -> list[_Work]:
    """Take all the work out of *work_queue* now, dropping wake-ups."""
    drained: list[_Work] = []
    while True:
        try:
            work = work_queue.get_nowait()
        except queue.Empty:
            return drained
        if work is not None:
            drained.append(work)
