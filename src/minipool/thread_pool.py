"""The thread pool: :class:`ThreadPoolExecutor` and its worker threads.

The data flow fits in one line::

    submit()  --(future, fn, args, kwargs)-->  _work_queue  -->  worker thread runs fn, fills future

``submit`` creates a :class:`~minipool.Future`, puts the work on a
:class:`queue.SimpleQueue` and, if no worker is idle and the pool has room,
starts one more worker.  Each worker takes work from the queue for as long as
the pool lives.  ``None`` on the queue is a *wake-up*: it makes a blocked
worker look at whether it should exit (the pool was shut down or garbage
collected, or the interpreter is exiting), and a worker that exits puts it
back for the next one.

Idle workers are counted, so that ``submit`` starts a new thread only when no
started one is free.  When a worker counts itself idle differs between Python
versions, and it decides how many threads a pool starts; we follow the running
version (see :data:`minipool.versions.COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY`).

Every worker counts what it does, for
:meth:`ThreadPoolExecutor.stats() <minipool.ThreadPoolExecutor.stats>` (see
:mod:`minipool.stats` for how that stays cheap).  Two opt-in extras watch a
pool from outside the core: debug mode (:mod:`minipool.debug`) and the task
timeline (:mod:`minipool.trace`).  Debug mode adds no work at all to a pool
not in debug mode; the timeline, while no recording is on, costs a worker
one read of a variable per call.  Two more extras change the pool's own
paths, only when asked for: a bounded queue (*max_pending*, see
:mod:`minipool.bounded`) and *copy_context*.  Unused, they cost ``submit()``
two attribute reads and a worker one check of a local per call.

Worker threads are not daemons.  At interpreter exit, before Python joins
non-daemon threads, ``_join_workers_at_exit`` wakes every worker and waits for
it: work already submitted still runs, new work is refused.
"""

from __future__ import annotations

import contextvars
import inspect
import itertools
import os
import queue
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Literal, NoReturn, Tuple, TypeVar

from minipool.bounded import PendingLimit
from minipool.debug import debug_by_default, join_threads, watched_queue
from minipool.errors import BrokenThreadPool, InvalidStateError
from minipool.executor import Executor
from minipool.future import LOGGER, Future
from minipool.stats import PoolStats, WorkerTally, clock, combine
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
# the clock() time of its submit (for the queue-wait statistics).  A plain
# tuple rather than a class: it is made once per submit(), and a tuple is the
# cheapest object that holds five things.
_Work: TypeAlias = Tuple[Future[Any], Callable[..., Any], Tuple[Any, ...], "dict[str, Any]", float]

# What the task timeline (minipool.trace) hears of every call a worker ends or
# skips, while a recording is on; None otherwise, and then a worker's only
# cost is reading this name once per call.  Called in the worker, before the
# future is completed, as
#   trace_sink(worker name, submitted at, started at, ended at, outcome)
# with the clock() times of minipool.stats, and outcome "returned", "raised"
# or "cancelled" (for which started and ended are the moment it was skipped).
trace_sink: Callable[[str, float, float, float, str], None] | None = None

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
# A worker is known by its WorkerTally (one per worker, and the worker has it
# from the start, where its Thread object it would have to look up).  A plain
# dict: a worker is added by _start_worker and takes itself out as it ends,
# each under _global_shutdown_lock.  (A WeakKeyDictionary, as the standard
# library uses, drops entries from weakref callbacks that may run in any
# thread at any time, without our lock, even while the hook copies it.)
_live_workers: dict[
    WorkerTally, tuple[threading.Thread, queue.SimpleQueue[_Work | None], threading.Lock]
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
def _forget_workers_in_child() -> None:
    _global_shutdown_lock._at_fork_reinit()  # type: ignore[attr-defined]
    _live_workers.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_global_shutdown_lock.acquire,
        after_in_child=_forget_workers_in_child,
        after_in_parent=_global_shutdown_lock.release,
    )


# -- the worker -----------------------------------------------------------


def _worker(  # noqa: PLR0912, PLR0915, PLR0917  (one loop on purpose: see "statistics" below)
    pool_ref: weakref.ref[ThreadPoolExecutor],
    name: str,
    work_queue: queue.SimpleQueue[_Work | None],
    tally: WorkerTally,
    limit: PendingLimit | None,
    initializer: Callable[..., object] | None,
    initargs: tuple[Any, ...],
    context: WorkerContext | None = None,
) -> None:
    """The body of every worker thread.

    It holds the pool only through a weak reference, and only for a moment at
    a time, so that a pool nobody uses any more can be garbage collected; its
    weakref callback then puts a wake-up on the queue and the workers exit.

    *context* is None but for a subclass's own worker context (3.14's
    prepare_context(), see minipool.worker_context): then it initializes
    the worker instead of *initializer*, each queued "fn" is a task for its
    run(), and it is finalized as the worker ends.
    """
    if initializer is not None or context is not None:
        try:
            if context is not None:
                context.initialize()
            else:
                initializer(*initargs)  # type: ignore[misc]
        except BaseException:
            LOGGER.critical("Exception in initializer:", exc_info=True)
            _forget_worker(tally)
            pool = pool_ref()
            if pool is not None:
                pool._initializer_failed()
            return
    # This worker's statistics.  Fast path: they live in local variables of
    # this one function (which is why the loop is not split into smaller
    # ones) and are published to *tally* with one store when a call starts
    # and one when it ends (see minipool.stats).
    started = returned = raised = cancelled = 0
    run_total = run_max = wait_total = wait_max = 0.0
    try:
        while True:
            if COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY:
                try:
                    work = work_queue.get_nowait()
                except queue.Empty:
                    _count_idle(pool_ref)
                    work = work_queue.get()
            else:
                work = work_queue.get()

            if work is not None:
                future, fn, args, kwargs, submitted_at = work
                del work
                started_at = clock()
                if future.set_running_or_notify_cancel():
                    # PENDING -> RUNNING: run the call.
                    started += 1
                    tally.running = (started, started_at)
                    try:
                        if context is None:  # noqa: SIM108  (the usual case first, plainly)
                            result = fn(*args, **kwargs)
                        else:
                            result = context.run(fn)  # type: ignore[arg-type]  # fn is the task here
                        error = None
                    except BaseException as exc:
                        # A BaseException (KeyboardInterrupt, SystemExit)
                        # also goes into the future: the worker lives on,
                        # the caller of result() gets it.
                        result = None
                        error = exc
                    ended_at = clock()
                    ran = ended_at - started_at
                    run_total += ran
                    if ran > run_max:  # noqa: PLR1730  (cheaper than calling max())
                        run_max = ran
                    waited = started_at - submitted_at
                    wait_total += waited
                    if waited > wait_max:  # noqa: PLR1730
                        wait_max = waited
                    if error is None:
                        returned += 1
                    else:
                        raised += 1
                    # Counted before the future is completed, so that a
                    # caller whose result() returned sees its call in stats().
                    tally.published = (returned, raised, cancelled,
                                       run_total, run_max, wait_total, wait_max)  # fmt: skip
                    if limit is not None:
                        limit.one_done()  # a bounded pool: room for one more call
                    if trace_sink is not None:
                        trace_sink(name, submitted_at, started_at, ended_at,
                                   "returned" if error is None else "raised")  # fmt: skip
                    if error is None:
                        future.set_result(result)
                    else:
                        future.set_exception(error)
                        # The exception's traceback holds this frame, which
                        # holds the exception: drop it to break the cycle.
                        error = None
                    del result
                else:
                    # It was cancelled while queued: skip it (CANCELLED ->
                    # CANCELLED_AND_NOTIFIED was done by the call above).
                    cancelled += 1
                    tally.published = (returned, raised, cancelled,
                                       run_total, run_max, wait_total, wait_max)  # fmt: skip
                    if limit is not None:
                        limit.one_done()
                    if trace_sink is not None:
                        trace_sink(name, submitted_at, started_at, started_at, "cancelled")
                # Drop the call before blocking again: the caller may be
                # waiting for its arguments or result to be released.
                del future, fn, args, kwargs
                if not COUNT_IDLE_ONLY_WHEN_QUEUE_EMPTY:
                    _count_idle(pool_ref)
                continue

            # A wake-up.  Exit if the interpreter is exiting, or the pool was
            # garbage collected or shut down; otherwise wait for more work.
            # The flags are read without a lock: whoever set them did so
            # before putting this wake-up on the queue, and the queue's own
            # lock orders the two (with the GIL and without it).
            pool = pool_ref()
            if _interpreter_exiting or pool is None or pool._shutdown:
                if pool is not None:
                    # Refuse new work as early as possible.  Written without
                    # _shutdown_lock, as the standard library does: it only
                    # ever goes from False to True, and submit() refuses
                    # anyway once the interpreter is exiting or the pool
                    # was shut down, which is why we are here.
                    pool._shutdown = True
                work_queue.put(None)  # pass the wake-up on to the next worker
                return
            del pool
    except BaseException:
        # A call's own exceptions go into its future.  Only an error around
        # the call gets here: a BaseException raised by a done-callback, or
        # InvalidStateError when other code completed the future meanwhile.
        # As in the standard library, this worker thread ends, logged.
        LOGGER.critical("Exception in worker", exc_info=True)
    finally:
        try:
            if context is not None:
                context.finalize()
        finally:
            _forget_worker(tally)


def _forget_worker(tally: WorkerTally) -> None:
    """Take an ending worker out of _live_workers: the exit hook need not wake or join it."""
    with _global_shutdown_lock:
        _live_workers.pop(tally, None)


def _count_idle(pool_ref: weakref.ref[ThreadPoolExecutor]) -> None:
    pool = pool_ref()
    if pool is not None:
        # One token per idle worker, appended without the pool's lock.  Only
        # submit() takes tokens, under that lock, so a list it finds
        # non-empty stays so until its pop().  list.append and list.pop are
        # each atomic: with the GIL, and on a free-threaded build by the
        # list's own per-object lock.
        pool._idle_tokens.append(None)


def _run_here(
    future: Future[Any], fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Run a call in this thread and fill its future, as a worker would (on_full="caller_runs").

    One difference from a worker: KeyboardInterrupt and SystemExit go into
    the future *and* on up the caller's stack, since this thread, unlike a
    worker, is one that Ctrl-C or sys.exit() is meant to stop.
    """
    future.set_running_or_notify_cancel()  # PENDING -> RUNNING: nobody else has it yet
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:
        future.set_exception(exc)
        del exc  # break the cycle: the traceback holds this frame
    except BaseException as exc:
        future.set_exception(exc)
        raise
    else:
        future.set_result(result)


# -- the pool -------------------------------------------------------------


def _refuse_keyword_argument(name: str) -> NoReturn:
    """Raise the TypeError that Python raises for an unknown keyword of __init__ (before 3.14)."""
    function = "ThreadPoolExecutor.__init__" if INIT_ERRORS_NAME_QUALNAME else "__init__"
    raise TypeError("%s() got an unexpected keyword argument %r" % (function, name))


def _signature_without_ctxkwargs(function: Callable[..., Any]) -> inspect.Signature:
    signature = inspect.signature(function)
    kept = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    return signature.replace(parameters=kept)


class ThreadPoolExecutor(Executor):
    """An executor that runs calls in a pool of at most *max_workers* threads.

    A drop-in replacement for :class:`concurrent.futures.ThreadPoolExecutor`,
    with the same arguments, defaults, thread names, errors and shutdown::

        >>> from minipool import ThreadPoolExecutor
        >>> with ThreadPoolExecutor(max_workers=1) as executor:
        ...     future = executor.submit(pow, 2, 3)
        ...     print(future.result())
        8

    *max_workers* defaults to ``min(32, CPUs + 4)`` (CPUs available to the
    process on 3.13+, of the machine before); it must be greater than 0.
    Threads are started on demand, one per ``submit`` while no started
    thread is idle, up to *max_workers*.  They are named
    ``"<thread_name_prefix>_<n>"``, by default ``"ThreadPoolExecutor-<pool>_<n>"``.
    *initializer*, if given, is called with *initargs* at the start of every
    worker thread; if it raises, the pool becomes broken: queued and later
    calls fail with :class:`~minipool.BrokenThreadPool`.

    Two minipool extras, beyond the standard library, change nothing unless
    used: :meth:`stats` (always available, always cheap) and the keyword-only
    *debug* argument.  ``debug=True`` puts the pool in debug mode (see
    :mod:`minipool.debug`): a wait on it that can never finish raises
    :class:`~minipool.DeadlockError` instead of hanging.  The default,
    ``None``, follows :func:`~minipool.set_debug` (off unless the environment
    variable ``MINIPOOL_DEBUG=1`` is set).

    More keyword-only extras, each off by default (see :doc:`/extensions`):

    - *max_pending*: bound the queue; the pool then holds at most
      ``max_workers + max_pending`` unfinished calls.  When it is full,
      *on_full* decides: ``"block"`` (the default; at most *submit_timeout*
      seconds if given, then :class:`~minipool.RejectedError`), ``"reject"``
      (raise :class:`~minipool.RejectedError`) or ``"caller_runs"`` (run the
      call in the submitting thread).  See :mod:`minipool.bounded`.
    - *copy_context*: run each call in a copy of the submitting thread's
      :mod:`contextvars` context, taken at ``submit()``.

    Two private attributes that widely used libraries read are kept with the
    standard library's meaning: ``_max_workers`` (the int above) and
    ``_threads`` (the set of worker threads started so far).
    """

    # Numbers the pools that get the default thread name prefix.
    _counter = itertools.count().__next__

    def __init__(
        self,
        max_workers: int | None = None,
        thread_name_prefix: str = "",
        initializer: Callable[..., object] | None = None,
        initargs: tuple[Any, ...] = (),
        *,
        debug: bool | None = None,
        max_pending: int | None = None,
        on_full: Literal["block", "reject", "caller_runs"] | None = None,
        submit_timeout: float | None = None,
        copy_context: bool = False,
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
            if type(self).prepare_context.__func__ is not _default_prepare_context:  # type: ignore[attr-defined]
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
        # Debug mode (minipool.debug): chosen once, here, for the pool's life.
        self._debug = debug_by_default() if debug is None else bool(debug)
        # The work waiting for a worker, and wake-ups (None).  SimpleQueue is
        # thread-safe by itself: no lock of ours guards it.  In debug mode it
        # is a subclass that also tells the deadlock detector what passes
        # through it, so that a pool not in debug mode does no extra work.
        self._work_queue: queue.SimpleQueue[_Work | None] = (
            watched_queue() if self._debug else queue.SimpleQueue()
        )
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

        # A bounded queue (minipool.bounded), only with max_pending: its
        # count and condition are guarded by _shutdown_lock too.
        self._limit: PendingLimit | None = None
        if max_pending is not None:
            self._limit = PendingLimit(
                max_pending, on_full or "block", submit_timeout, max_workers, self._shutdown_lock
            )
        elif on_full is not None or submit_timeout is not None:
            raise ValueError("on_full and submit_timeout need max_pending")
        # Run every call in a copy of its submitter's contextvars context.
        self._copy_context = bool(copy_context)

        # Statistics (see minipool.stats).  Guarded by _shutdown_lock: calls
        # accepted, and queued calls taken out by shutdown(cancel_futures=True)
        # or by a failed initializer.  Each worker keeps its own tally.
        self._submitted = 0
        self._drained_cancelled = 0
        self._drained_failed = 0
        self._rejected = 0  # a bounded pool: calls refused, and run by their caller
        self._ran_in_caller = 0
        self._tallies: list[WorkerTally] = []

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
        __init__.__signature__ = _signature_without_ctxkwargs(__init__)  # type: ignore[attr-defined]

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Schedule ``fn(*args, **kwargs)`` to run in a worker and return its future.

        Raises :class:`RuntimeError` after :meth:`shutdown` or once the
        interpreter is exiting, and :class:`~minipool.BrokenThreadPool` once
        an initializer has failed.  On a pool made with *max_pending*, finding
        the pool full makes it block, raise :class:`~minipool.RejectedError`
        or run the call here, as *on_full* says (see :mod:`minipool.bounded`).
        """
        if self._copy_context:
            # The call runs as context.run(fn, *args, **kwargs), in a copy of
            # this thread's context, made now (as asyncio.to_thread does).
            args = (fn, *args)  # type: ignore[assignment]
            fn = contextvars.copy_context().run  # type: ignore[assignment]
        limit = self._limit
        lock = self._shutdown_lock
        lock.acquire()  # a hot path: "with" costs twice as much (see minipool.future)
        try:
            # Read without _global_shutdown_lock: see "interpreter exit" above.
            if self._broken or self._shutdown or _interpreter_exiting:
                self._raise_refused()
            if self._resolve_work_item_task is not None:
                # A subclass's worker contexts: queue the task its run() takes.
                fn, args, kwargs = self._resolve_work_item_task(fn, args, kwargs), (), {}  # type: ignore[assignment]
            # A full bounded pool (minipool.bounded) waits for room in
            # _make_room(), or raises, or says to run the call here.
            if limit is None or not limit.is_full() or self._make_room(limit):
                future: Future[T] = Future()
                self._work_queue.put((future, fn, args, kwargs, clock()))
                self._submitted += 1
                if limit is not None:
                    limit.unfinished += 1

                # Start a worker only if none is idle and the pool has room.
                if self._idle_tokens:
                    self._idle_tokens.pop()  # that idle worker will take the new work
                elif len(self._threads) < self._max_workers:
                    self._start_worker()
                # else the work waits in the queue for a busy worker
                return future
        finally:
            lock.release()
        # Only a full bounded pool with on_full="caller_runs" gets here: the
        # call runs in this thread, with the lock released (it is user code).
        future = Future()
        _run_here(future, fn, args, kwargs)
        return future

    def _raise_refused(self) -> NoReturn:
        """Raise why submit() refuses work: broken, shut down, or the interpreter exiting."""
        if self._broken:
            raise _broken_error(self)(self._broken)
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        raise RuntimeError("cannot schedule new futures after interpreter shutdown")

    def _make_room(self, limit: PendingLimit) -> bool:
        """A bounded pool is full: wait for room (True) or run the call here (False).

        Raises :class:`~minipool.RejectedError` for on_full="reject", or when
        submit_timeout passes; called and returns with _shutdown_lock held,
        which a blocking wait releases meanwhile (see minipool.bounded).
        """
        if limit.on_full == "caller_runs":
            self._ran_in_caller += 1
            return False
        if limit.on_full == "reject":
            self._rejected += 1
            raise limit.refusal(waited=False)
        deadline = limit.deadline()
        while limit.is_full():
            if not limit.wait_for_room(deadline) and limit.is_full():
                self._rejected += 1
                raise limit.refusal(waited=True)
            # Woken: the pool may have stopped taking work meanwhile.
            if self._broken or self._shutdown or _interpreter_exiting:
                self._raise_refused()
        return True

    def _start_worker(self) -> None:
        # Called by submit() with _shutdown_lock held.
        num_threads = len(self._threads)

        # When the pool is garbage collected, this callback wakes the workers
        # so that they see it is gone and exit.  It must not refer to the pool.
        def wake_workers(_: object, work_queue: queue.SimpleQueue[Any] = self._work_queue) -> None:
            work_queue.put(None)

        tally = WorkerTally()
        name = "%s_%d" % (self._thread_name_prefix or self, num_threads)
        thread = threading.Thread(
            name=name,
            target=_worker,
            args=(
                weakref.ref(self, wake_workers),
                name,
                self._work_queue,
                tally,
                self._limit,
                self._initializer,
                self._initargs,
                None if self._create_worker_context is None else self._create_worker_context(),
            ),
        )
        self._tallies.append(tally)
        if self._debug:
            # Before it starts: the detector must never see a queued call
            # without seeing every worker that may take it.
            self._work_queue.add_worker(thread)  # type: ignore[attr-defined]
        with _global_shutdown_lock:
            thread.start()
            self._threads.add(thread)
            _live_workers[tally] = (thread, self._work_queue, self._shutdown_lock)
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
            self._drained_failed += len(queued)
            if self._limit is not None:
                self._limit.taken_out(len(queued))  # and wake blocked submitters to raise
        # Outside the lock: set_exception() runs the futures' callbacks.
        for future, _fn, _args, _kwargs, _submitted_at in queued:
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
            self._drained_cancelled += len(queued)
            if self._limit is not None:
                self._limit.taken_out(len(queued))  # and wake blocked submitters to raise
            # Wake one blocked worker; each exiting worker wakes the next.
            self._work_queue.put(None)
        # Outside the lock: cancel() runs the futures' callbacks.
        for future, _fn, _args, _kwargs, _submitted_at in queued:
            future.cancel()
        if wait:
            if self._debug:
                join_threads(self._threads)  # raises DeadlockError if it never can
            else:
                for thread in self._threads:
                    thread.join()

    def stats(self) -> PoolStats:
        """A snapshot of what the pool has done so far: see :class:`~minipool.PoolStats`.

        Cheap (it adds up one small record per worker) and always available;
        a minipool extra, not in the standard library.
        """
        # The workers' tallies first, the pool's counters after: see combine().
        # In each tally, "running" before "published": see WorkerTally.
        published = [(tally.running, tally.published) for tally in list(self._tallies)]
        alive = sum(1 for thread in list(self._threads) if thread.is_alive())
        with self._shutdown_lock:
            submitted = self._submitted
            drained_cancelled = self._drained_cancelled
            drained_failed = self._drained_failed
            rejected = self._rejected
            ran_in_caller = self._ran_in_caller
        return combine(
            published,
            submitted=submitted,
            drained_cancelled=drained_cancelled,
            drained_failed=drained_failed,
            rejected=rejected,
            ran_in_caller=ran_in_caller,
            workers_alive=alive,
            max_workers=self._max_workers,
        )


def _broken_error(pool: ThreadPoolExecutor) -> type[BaseException]:
    """The error of a broken pool: BrokenThreadPool, or (3.14+) the class's BROKEN."""
    error: type[BaseException] = getattr(pool, "BROKEN", BrokenThreadPool)
    return error


if HAS_WORKER_CONTEXT:
    _default_prepare_context = ThreadPoolExecutor.prepare_context.__func__  # type: ignore[attr-defined]


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
