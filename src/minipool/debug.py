"""Debug mode: a deadlock detector that turns a silent hang into an error.

The standard library meets a deadlock with a hang, and so does minipool by
default.  In debug mode, a blocking wait that can never finish raises
:class:`DeadlockError` in the waiting thread instead, with the chain of
waits in its message, one line per link::

    >>> import minipool
    >>> pool = minipool.ThreadPoolExecutor(max_workers=1, debug=True)
    >>> def outer():
    ...     inner = pool.submit(abs, -1)   # queued behind outer, on the only worker
    ...     return inner.result()          # ... which is busy waiting for it
    >>> pool.submit(outer).result()  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
      ...
    minipool.debug.DeadlockError: worker ThreadPoolExecutor-..._0 waits for
    <Future at 0x... state=pending>, queued in a pool whose 1 worker(s) are all waiting
    >>> pool.shutdown()

Turn it on for one pool with ``ThreadPoolExecutor(..., debug=True)``, or for
every pool made from then on with :func:`~minipool.set_debug` or the environment
variable ``MINIPOOL_DEBUG=1``.  It finds a deadlock whatever else the program
runs: a script's other threads, a server's, a Jupyter kernel's.

The rule
========

A set of waiting threads is deadlocked when none of the futures they wait
for can be ended by a thread outside the set.  A future ends in one of
three ways, and the detector knows who can take each:

- a call a pool runs is ended by its worker;
- a call queued in a pool is ended by a worker of that pool, once one is
  free, or by ``cancel()``;
- a future no pool of debug mode runs (made by hand, or by another
  executor) is ended by ``set_result()``, ``set_exception()`` or ``cancel()``.

So a waiting thread is stuck when the futures it needs (any of them, or
all) are each run by a stuck worker, queued in a pool whose workers are
all stuck, or ended only by such a direct call, which no thread outside
the stuck set can make because none can *reach* the future.  This is
Java's deadlock search (``ThreadMXBean.findDeadlockedThreads``, a cycle of
blocked threads, whatever the others do) joined to Go's leak search by
reachability (golang/go#74609: a goroutine is stuck when what it waits on
is unreachable from every runnable one).

How it decides
==============

Debug mode keeps three records, all under one lock (``_Detector._lock``):
where each call of a debug pool is (queued, or run by which worker: the
pool's hooks, :class:`DebugHooks`, tell it), who waits for what (every
blocking wait with no timeout registers: ``result()``, ``exception()``,
``wait()``, ``as_completed()``, ``map()``'s iterator, and a debug pool's
``shutdown(wait=True)``), and which threads exist.  A checker thread
(``minipool-deadlock-detector``, a daemon that ends when no wait is left)
looks whenever a wait registers, and every quarter of a second while any
does:

1. **The wait-for graph.**  Start with every waiting thread in the stuck
   set; take out each one whose wait may still end, given that every
   thread outside the set may progress; repeat until nothing changes.  A
   future only a direct call can end counts, here, as unreachable.  Nearly
   every look ends at this step with an empty set, for no more than a few
   dictionary lookups per wait.
2. **The heap, on suspicion.**  If threads are left and their waits depend
   on a direct call, ``minipool.reach`` walks back from each such future
   to what refers to it (:func:`gc.get_referrers`), to find whether a
   thread outside the set could get hold of it: through a module's globals
   (whenever some thread might act), a running thread's local variables,
   a signal handler, or a holder the walk cannot see (C code).  It does
   not pass through the stuck threads' frames, the detector's records, or
   the queue of a pool that will never run its calls.  Then step 1 again,
   with what the walk found, until the set stops shrinking.
3. **Confirmation.**  A set the heap walk found is reported only when three
   walks 10 ms apart find the same waits stuck: a running thread may hold
   a reference, for a moment, only on its evaluation stack (between a call
   that returned the future and the variable it goes into), where no walk
   sees it.

The threads left get :class:`DeadlockError`: first those running a pool's
call (so the error fails the call, and everyone waiting for it wakes with
it, as with any failed call; the pool is usable again), then, at the next
look, any thread still stuck.  A wait with a timeout is never reported (it
ends); it also wakes with the error when it waits for a call that fails
with it.

No false positives
==================

The registrations cannot change while the checker looks (it holds the
lock), and everything else it reads only moves forward: a future never
becomes un-done, and a queued call is only taken by a worker, which the
checker then counts as able to progress.  A stuck thread waits only for
futures whose every possible finisher is itself stuck, and that no thread
outside can reach: none of them can ever end.  The suites say so too: the
differential suite, CPython's ``test_concurrent_futures``, the client
libraries' tests and a 100,000-call stress of nested waits report no
deadlock with ``MINIPOOL_DEBUG=1``, nor do the waits of tests that end on
purpose from another thread (a :class:`threading.Timer` holding a bare
future, a thread that will cancel a queued call, one that holds a future
in a module's globals or in a suspended generator).

Limits
======

It is sound, not complete: it never raises for a wait that could end, but
it stays silent where it cannot prove a deadlock.

- A future in a module's globals is in reach of any running thread (it may
  import the module): a deadlock on it is reported only once no thread is
  left that could act.  A notebook's variables are globals: keep a future a
  deadlock may hold in a function's variables, as the seed does.
- Ending a running call from outside, with ``set_result()`` ("for executors
  and unit tests"), is counted only from a thread that holds the future in a
  variable of its own, or in something that variable holds (up to three
  steps): the differential suite ends the deadlocks it makes that way.  A
  cycle of calls whose futures a running thread holds so is not reported.
- ``shutdown(cancel_futures=True)`` from another thread is not counted as
  a way out: a program whose watchdog ends a deadlock that way gets
  :class:`DeadlockError` first.
- A reference the heap walk cannot see keeps it silent: on the evaluation
  stack of a thread blocked in C code (a future passed as an argument), or
  held only by C code (taken as a holder that may act).
- On a free-threaded build with the GIL off, reading a running thread's
  variables can crash the interpreter (CPython gh-144446, open): there, a
  future only a direct call ends, or a running call's, counts as reachable
  while any thread outside the set might act.  So a deadlock is reported
  only while every other thread is stuck too or an idle worker of a debug
  pool: in a script whose main thread waits, not beside a watchdog thread,
  a server's threads or a Jupyter kernel's.
- Workers of pools not in debug mode are threads it cannot see into: their
  calls count as futures only a direct call ends.
- ``FIRST_EXCEPTION`` waits count as "any".
- A heap walk gives up, with the silent answer, past 0.5 s, 5,000 objects,
  or 64 objects in one step back.
- It costs time on every call of a debug pool (the notes its hooks take),
  on every blocking wait once it has been used, and a heap walk (about
  5 ms a step for 100,000 objects) per look that finds suspicion; walks for
  a suspicion that lasts take at most a tenth of a core.  A pool not in
  debug mode pays nothing.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import types
import weakref
from typing import Any, Callable, Iterable, Literal, Sequence

from minipool import future as future_module
from minipool import hooks as seam
from minipool import reach
from minipool.extended import debug_by_default, set_debug
from minipool.future import DONE_STATES, FINAL_STATES, LOGGER, STATE_DESCRIPTIONS, Future

__all__ = ["DeadlockError", "DebugHooks", "debug_by_default", "install", "set_debug"]

# How often the checker looks again while a wait is registered, in seconds.
# A deadlock that forms without a new wait (a thread that could have helped
# exits) is found within this time.
RECHECK_INTERVAL = 0.25

# A deadlock found by walking the heap is reported once CONFIRMATIONS walks
# in a row, CONFIRM_DELAY seconds apart, find the same waits stuck: a running
# thread in mid-step (a reference only on its evaluation stack) moves on
# within a few switch intervals (sys.getswitchinterval(), 5 ms by default).
CONFIRMATIONS = 3
CONFIRM_DELAY = max(0.01, 3 * sys.getswitchinterval())


class DeadlockError(RuntimeError):
    """A blocking wait that can never finish (raised only in debug mode).

    Raised in the waiting thread, in place of the hang, by
    :meth:`Future.result() <minipool.Future.result>`,
    :meth:`~minipool.Future.exception`, :func:`~minipool.wait`,
    :func:`~minipool.as_completed`, the iterator of
    :meth:`~minipool.Executor.map` and :meth:`ThreadPoolExecutor.shutdown()
    <minipool.ThreadPoolExecutor.shutdown>`.  Its message is the chain of
    waits that closes the deadlock.  It is raised first in the pool workers
    caught in the deadlock, so that their calls fail with it and every thread
    waiting for those calls gets it from them, as from any failed call; a
    thread that is still stuck after that gets its own.
    """


# -- what a debug pool tells the detector ----------------------------------


class _PoolRecord:
    """What the detector knows of one debug pool.  Guarded by the detector's lock."""

    def __init__(self, max_workers: int, work_queue: object) -> None:
        self.max_workers = max_workers
        self.work_queue = work_queue  # the queue's entries are modelled, not walked
        self.workers: list[threading.Thread] = []
        self.queued = 0  # calls queued and not yet taken (or drained)


class DebugHooks(seam.PoolHooks):
    """The hooks of a pool in debug mode: tell the detector where each call is.

    A call queued is noted as queued in this pool; a call a worker starts
    (or skips) as run by that worker, until the worker comes back to the
    queue; calls drained by ``shutdown()`` or a broken pool are forgotten.
    ``shutdown(wait=True)`` joins the workers under the detector's watch.
    """

    def __init__(self, max_workers: int, work_queue: object) -> None:
        install()
        self._record = _PoolRecord(max_workers, work_queue)

    def queued(self, future: Future[Any]) -> seam.CallWatch:
        _detector.note_queued(future, self._record)
        return _DebugWatch(future, self._record)

    def drained(self, futures: Sequence[Future[Any]], broken: bool) -> None:
        _detector.note_drained(futures, self._record)

    def worker_added(self, thread: threading.Thread) -> None:
        # Before it starts: the detector must never see a queued call
        # without seeing every worker that may take it.
        _detector.note_worker(self._record, thread)

    def worker_waiting(self) -> None:
        _detector.note_idle(threading.current_thread())

    def join_workers(self, threads: Iterable[threading.Thread]) -> None:
        join_threads(threads)


class _DebugWatch(seam.CallWatch):
    """Tells the detector which worker took the call."""

    __slots__ = ("_future", "_record")

    def __init__(self, future: Future[Any], record: _PoolRecord) -> None:
        self._future = future
        self._record = record

    def started(self) -> None:
        _detector.note_taken(self._future, self._record, threading.current_thread())

    def skipped(self) -> None:
        _detector.note_taken(self._future, self._record, threading.current_thread())


def join_threads(threads: Iterable[threading.Thread]) -> None:
    """``thread.join()`` for each, as shutdown(wait=True) does, but raising DeadlockError."""
    for thread in threads:
        if thread is threading.current_thread() or not _detector.active():
            thread.join()  # joining oneself raises RuntimeError, as in the stdlib
        else:
            _detector.wait_for_thread(thread)


# -- the detector ---------------------------------------------------------


class _Wait:
    """One registered blocking wait: who waits, for what, and how it is woken."""

    __slots__ = (
        "counts_cancelled", "deadlock", "frame", "need", "targets", "thread", "wake", "what",
    )  # fmt: skip

    def __init__(
        self,
        *,
        what: str,
        targets: Iterable[Any],
        need: str,
        wake: Callable[[], None],
        counts_cancelled: bool,
    ) -> None:
        self.thread = threading.current_thread()
        # The waiting function's frame, taken by the waiting thread itself:
        # the checker reads the callers' variables from it (see reach.py),
        # and they cannot change until the wait ends, which takes _lock.
        self.frame: types.FrameType | None = sys._getframe(1)
        self.what = what  # how the message names the wait
        # Futures (or, for a join, threads).  Not copied: the waiting thread
        # does not change it while it is registered.
        self.targets = targets
        self.need = need
        self.wake = wake
        # result()/exception() end on CANCELLED; wait()/as_completed() only
        # once a worker passed over the call (CANCELLED_AND_NOTIFIED).
        self.counts_cancelled = counts_cancelled
        # Set by the checker, under its lock, when the wait can never finish.
        self.deadlock: str | None = None


class _Detector(seam.BlockingWatcher):
    """The registry of pools, calls and waits, and the checker thread that reads it.

    The watcher of blocking waits (see :mod:`minipool.hooks`) once debug mode is used.
    """

    def __init__(self) -> None:
        # _lock guards every field below.  Lock order: a future's lock may be
        # held when _lock is taken (result() registers with it held), never
        # the reverse: the checker takes no future lock while holding _lock.
        self._lock = threading.Lock()
        self._records: weakref.WeakSet[_PoolRecord] = weakref.WeakSet()
        self._queued_in: dict[Future[Any], _PoolRecord] = {}
        self._running: dict[threading.Thread, Future[Any]] = {}  # worker -> its call
        self._runner: dict[Future[Any], threading.Thread] = {}  # the reverse
        self._waits: dict[threading.Thread, _Wait] = {}
        self._checker: threading.Thread | None = None
        # Set to make the checker look now; it clears it before looking.
        self._look_now = threading.Event()
        # The heap walks' budget: no walk for the same suspicion before this
        # time (time.monotonic()), so that walks take at most a tenth of a core.
        self._next_walk = 0.0
        # The suspicion (the waits the wait-for graph left) last walked for,
        # not to be walked for again before _next_walk.
        self._throttled: tuple[_Wait, ...] = ()
        # The waits the last walks found stuck, and how many walks in a row.
        self._suspects: tuple[_Wait, ...] = ()
        self._confirmations = 0
        # How many times the checker has looked; _looked is notified after each.
        # With the counts after it, what debug mode has done so far (the
        # test suite reports them when it runs with MINIPOOL_DEBUG=1).
        self.looks = 0
        self.waits_watched = 0
        self.deadlocks_found = 0
        self.walks = 0  # looks that walked the heap
        self.walk_seconds = 0.0
        self._looked = threading.Condition(self._lock)

    def summary(self) -> str:
        """What debug mode has watched so far, in one line (the test runs print it)."""
        return (
            "debug mode: %d blocking waits watched, %d looks, %d heap walks (%.2f s), "
            "%d deadlocks reported"
            % (self.waits_watched, self.looks, self.walks, self.walk_seconds, self.deadlocks_found)
        )

    def forget_after_fork(self) -> None:
        """In a child made by fork(): none of the parent's threads exist here.

        The lock may have been copied while held, so it is made afresh, with
        everything it guarded.
        """
        self.__init__()  # type: ignore[misc]

    def active(self) -> bool:
        """True while debug mode is on for new pools or some debug pool exists."""
        return debug_by_default() or len(self._records) > 0

    # -- notes from a debug pool's hooks --

    def note_worker(self, record: _PoolRecord, thread: threading.Thread) -> None:
        with self._lock:
            self._records.add(record)
            record.workers.append(thread)

    def note_queued(self, future: Future[Any], record: _PoolRecord) -> None:
        with self._lock:
            self._records.add(record)
            self._queued_in[future] = record
            record.queued += 1

    def note_taken(
        self, future: Future[Any], record: _PoolRecord, thread: threading.Thread
    ) -> None:
        with self._lock:
            if self._queued_in.pop(future, None) is not None:
                record.queued -= 1
            if thread in record.workers:
                self._running[thread] = future
                self._runner[future] = thread

    def note_drained(self, futures: Sequence[Future[Any]], record: _PoolRecord) -> None:
        with self._lock:
            for future in futures:
                if self._queued_in.pop(future, None) is not None:
                    record.queued -= 1

    def note_idle(self, thread: threading.Thread) -> None:
        with self._lock:
            future = self._running.pop(thread, None)
            if future is not None:
                del self._runner[future]

    # -- the waits (minipool.future and minipool.waiting, through the seam; shutdown) --

    def wait_for_future(
        self, future: Future[Any], condition: threading.Condition, timeout: float | None
    ) -> None:
        """Block in result()/exception() until *future* is done; called with its lock held."""
        # IPython and pytest leave out of a traceback a frame that sets this:
        # the DeadlockError's message says all this frame would.
        __tracebackhide__ = True
        if timeout is not None:
            # Not watched: it ends.  But the checker wakes the waits it marks
            # through this same condition, so wait out the time left.
            start = time.monotonic()
            condition.wait(timeout)  # first as the stdlib does: the same errors for odd values
            while future._state not in DONE_STATES:
                left = timeout - (time.monotonic() - start)
                if left <= 0:
                    return
                condition.wait(left)
            return
        if not self.active():
            condition.wait()
            return

        def wake() -> None:
            with condition:
                condition.notify_all()

        wait = _Wait(
            what="waits for",
            targets=(future,),
            need="any",
            wake=wake,
            counts_cancelled=True,
        )
        self._register(wait)
        try:
            while future._state not in DONE_STATES and wait.deadlock is None:
                condition.wait()
        finally:
            self._unregister(wait)
        if future._state not in DONE_STATES:
            raise DeadlockError(wait.deadlock)

    def wait_for_event(
        self, event: threading.Event, futures: Iterable[Future[Any]], need: str
    ) -> None:
        """Block in wait()/as_completed() until *event* is set by *futures*."""
        __tracebackhide__ = True  # (see wait_for_future)
        if not self.active():
            event.wait()
            return
        what = "waits for any of" if need == "any" else "waits for all of"
        wait = _Wait(
            what=what,
            targets=futures,
            need=need,
            wake=event.set,
            counts_cancelled=False,
        )
        self._register(wait)
        try:
            event.wait()
        finally:
            self._unregister(wait)
        if wait.deadlock is not None:
            # Only the checker sets the event of a wait it marked: the wait's
            # own condition can never come true (see "no false positives").
            raise DeadlockError(wait.deadlock)

    def wait_for_thread(self, thread: threading.Thread) -> None:
        """Block in shutdown(wait=True) until *thread* exits."""
        __tracebackhide__ = True  # (see wait_for_future)
        wait = _Wait(
            what="waits to join",
            targets=(thread,),
            need="all",
            wake=lambda: None,  # it looks at its mark between slices of join()
            counts_cancelled=True,
        )
        self._register(wait)
        try:
            # Thread.join() cannot be interrupted, so join in slices and look
            # at the mark in between.
            while thread.is_alive() and wait.deadlock is None:
                thread.join(RECHECK_INTERVAL)
        finally:
            self._unregister(wait)
        if thread.is_alive():
            raise DeadlockError(wait.deadlock)

    def _register(self, wait: _Wait) -> None:
        with self._lock:
            self._waits[wait.thread] = wait
            self.waits_watched += 1
            if self._checker is None:
                self._checker = threading.Thread(
                    target=self._check_forever, name="minipool-deadlock-detector", daemon=True
                )
                self._checker.start()
        self._look_now.set()

    def _unregister(self, wait: _Wait) -> None:
        with self._lock:
            if self._waits.get(wait.thread) is wait:
                del self._waits[wait.thread]
            wait.frame = None  # the frame refers to the wait: no cycle left behind

    # -- the checker --

    def _check_forever(self) -> None:
        """The checker thread: look whenever asked, and every RECHECK_INTERVAL while waits last.

        It ends once no wait is registered (the next wait starts a new one),
        so that debug mode leaves no thread behind.
        """
        try:
            while True:
                self._look_now.wait(RECHECK_INTERVAL)
                with self._lock:
                    if not self._waits and not self._look_now.is_set():
                        self._checker = None
                        return
                    self._look_now.clear()
                    found, deferred = self._find_deadlocks()
                    for wait, message in found:
                        wait.deadlock = message
                    self.deadlocks_found += len(found)
                    self.looks += 1
                    self._looked.notify_all()
                # Outside the lock: waking takes the future's lock (see _lock).
                for wait, _message in found:
                    wait.wake()
                if deferred:  # a walk is due once the budget allows: look again then,
                    # or at once if a wait registers meanwhile (a new suspicion)
                    self._look_now.wait(max(0.0, self._next_walk - time.monotonic()))
                    self._look_now.set()
        except BaseException:
            # A bug of ours must not pass silently, nor leave waits unwatched
            # for ever: log it, and let the next wait start a new checker.
            LOGGER.critical("Exception in the deadlock detector", exc_info=True)
            with self._lock:
                self._checker = None

    def wait_for_looks(self, count: int, timeout: float) -> bool:
        """Block until the checker has looked *count* more times (for tests and the docs)."""
        with self._lock:
            target = self.looks + count
            return self._looked.wait_for(lambda: self.looks >= target, timeout)

    def _find_deadlocks(self) -> tuple[list[tuple[_Wait, str]], bool]:
        """The waits that can never finish, each with its chain, and whether a heap
        walk was needed but put off (its budget).  Called with _lock held."""
        waits = {t: w for t, w in self._waits.items() if w.deadlock is None and t.is_alive()}
        if not waits:
            return [], False
        search = _Search(self, waits)
        # First without walking the heap: every future that only a direct
        # call could end is taken as unreachable.  Nearly every look ends
        # here, with every wait able to finish.
        stuck = search.stuck_threads()
        if not stuck:
            return [], False
        if search.asked_the_heap:
            # Suspicion, and the answer depends on who can reach some future:
            # ask the heap, then again while the set of stuck threads shrinks
            # (each thread that leaves it may reach more).
            suspicion = tuple(sorted((waits[t] for t in stuck), key=id))
            now = time.monotonic()
            if suspicion == self._throttled and now < self._next_walk:
                return [], True  # walked for these very waits a moment ago
            while stuck:
                search.walk = self._heap_walk(search, stuck)
                fewer = search.stuck_threads()
                if fewer == stuck:
                    break
                stuck = fewer
            took = time.monotonic() - now
            self.walks += 1
            self.walk_seconds += took
            if not stuck:
                # Suspicious, but not stuck: such a wait may last (a thread
                # will complete it later), so walk for the same waits again
                # only once 9 times this walk's time has passed (such walks
                # take at most a tenth of a core), and within 5 s.  A new
                # wait makes a new suspicion, walked at once.
                self._throttled = suspicion
                self._next_walk = time.monotonic() + min(9 * took, 5.0)
                self._suspects = ()
                return [], False
            # Confirm: the same waits, stuck again at walks CONFIRM_DELAY
            # apart.  A running thread may hold the only other reference on
            # its evaluation stack for a moment (between a call that returned
            # the future and the variable it goes into), where no walk sees
            # it; by the next walk it has moved on.
            suspects = tuple(sorted((waits[t] for t in stuck), key=id))
            if suspects != self._suspects:
                self._suspects, self._confirmations = suspects, 0
            self._confirmations += 1
            if self._confirmations < CONFIRMATIONS:
                self._throttled = suspicion
                self._next_walk = time.monotonic() + CONFIRM_DELAY
                return [], True
            self._suspects = ()
        # Raise first in the workers among them: the error fails their calls,
        # and everyone waiting for those calls then wakes with it, as with
        # any failed call.  A thread still stuck after that (one that waited
        # for nothing else) is found at the next look.
        in_calls = [waits[t] for t in stuck if t in self._running]
        chosen = in_calls or [waits[t] for t in stuck]
        return [(w, search.chain(w)) for w in chosen], False

    def _heap_walk(self, search: _Search, stuck: set[threading.Thread]) -> reach.Walk | None:
        """A reachability walk for this set of stuck threads (None: every object is reachable)."""
        stacks = reach.Stacks()
        stacks.skipped_code = _WAIT_CODE
        for thread in stuck:
            stacks.add_stuck(search.waits[thread].frame)
        others = [t for t in threading.enumerate() if t not in stuck and t is not self._checker]
        someone_may_act = any(search.may_act(t) for t in others)
        if _can_read_running_frames():
            frames = sys._current_frames()
            for thread in others:
                stacks.add_running(frames.get(thread.ident))  # type: ignore[arg-type]
        elif someone_may_act:
            # Free-threaded, GIL off: another running thread's variables
            # cannot be read safely (CPython gh-144446), so any thread that
            # might act might hold anything.
            return None
        # With no thread left that might act, not even a global is in reach.
        return reach.Walk(stacks, search.cut, owned=search.owned, globals_are_roots=someone_may_act)


def _wait_code() -> set[types.CodeType]:
    """The code of minipool's waits, whose variables hold only what their caller passed."""
    from minipool import waiting

    functions: list[Any] = [
        Future.result, Future.exception, Future._wait_until_finished,
        waiting.wait, waiting.as_completed,
        _Detector.wait_for_future, _Detector.wait_for_event, _Detector.wait_for_thread,
    ]  # fmt: skip
    return {function.__code__ for function in functions}


def _can_read_running_frames() -> bool:
    """Is it safe to read a running thread's local variables?  With the GIL, yes."""
    is_gil_enabled: Callable[[], bool] | None = getattr(sys, "_is_gil_enabled", None)
    return is_gil_enabled is None or is_gil_enabled()


# result() and exception() end in any of the DONE_STATES; wait() and
# as_completed() count only the FINAL_STATES as done (see minipool.future).

# How a future may still end when no worker will end it (see _Search.ended_by).
DIRECT = "direct"
HELD = "held"


class _Search:
    """One look of the checker: which waits can still finish, given who can progress."""

    def __init__(self, detector: _Detector, waits: dict[threading.Thread, _Wait]) -> None:
        self.detector = detector
        self.waits = waits
        # Each wait's targets, copied once: the checker iterates over these
        # tuples only (an iterator over a wait's own set would be a holder of
        # its futures that the heap walk cannot explain; these it knows).
        self.targets = {t: tuple(w.targets) for t, w in waits.items()}
        self.owned: list[Any] = [self.targets, *self.targets.values()]
        self.asked_the_heap = False  # did a verdict depend on reachability?
        self.worker_of = {t: r for r in detector._records for t in r.workers}
        self.queues = {id(r.work_queue): r for r in detector._records}
        self.stuck: set[threading.Thread] = set(waits)
        # False until the heap is walked: every future only a direct call can
        # end counts as unreachable.  Then a walk, or None: all reachable.
        self.walk: reach.Walk | Literal[False] | None = False
        self._reachable: dict[tuple[int, str], bool] = {}  # (id(future), how) -> the answer

    def stuck_threads(self) -> set[threading.Thread]:
        """The waiting threads that can never progress: shrink the set to a fixed point."""
        self.stuck = set(self.waits)
        self._reachable = {k: v for k, v in self._reachable.items() if v}  # grows only
        changed = True
        while changed:
            changed = False
            for thread in list(self.stuck):
                if self.may_finish(self.waits[thread]):
                    self.stuck.discard(thread)
                    changed = True
        return set(self.stuck)

    def progresses(self, thread: threading.Thread) -> bool:
        """Can *thread* still make progress?  Every thread outside the stuck set can,
        including one about to start (a pool's new worker) or on its way out."""
        return (
            thread not in self.stuck
            and thread is not self.detector._checker
            and (thread.ident is None or thread.is_alive())
        )

    def may_act(self, thread: threading.Thread) -> bool:
        """Might this running thread do anything at all: submit, set a result, cancel?
        A debug pool's idle worker only runs what its pool queues."""
        record = self.worker_of.get(thread)
        return record is None or thread in self.detector._running or record.queued > 0

    def may_finish(self, wait: _Wait) -> bool:
        targets = self.targets[wait.thread]
        if wait.need == "all":
            return all(self.target_may_finish(wait, t) for t in targets)
        # "any": one walk for all the futures a direct call could end.
        reach_these: dict[str, list[Any]] = {DIRECT: [], HELD: []}
        for target in targets:
            verdict = self.ended_by(wait, target)
            if verdict is True:
                return True
            if verdict is not False:
                reach_these[verdict].append(target)
        return any(self.reachable(futures, verdict) for verdict, futures in reach_these.items())

    def target_may_finish(self, wait: _Wait, target: Any) -> bool:
        verdict = self.ended_by(wait, target)
        if isinstance(verdict, bool):
            return verdict
        return self.reachable([target], verdict)

    def ended_by(self, wait: _Wait, target: Any) -> bool | str:
        """Can *target* still end (for *wait*)?  DIRECT: only by a direct call
        (set_result(), cancel()) from a thread that can reach it; HELD: only by
        set_result() from a running thread that holds it itself."""
        if isinstance(target, threading.Thread):  # a join
            return not target.is_alive() or self.progresses(target)
        state = target._state
        if state in (DONE_STATES if wait.counts_cancelled else FINAL_STATES):
            return True
        runner = self.detector._runner.get(target)
        if runner is not None:
            # Its worker ends a running call.  Ending it from outside
            # (set_result() on a call a pool runs: "for executors and unit
            # tests") is counted only from a thread that holds it itself.
            return True if self.progresses(runner) else HELD
        record = self.detector._queued_in.get(target)
        if record is not None and self.pool_may_run(record):
            return True
        return DIRECT  # a bare future, or a call queued behind stuck workers

    def reachable(self, futures: list[Future[Any]], how: str) -> bool:
        """Could a thread outside the stuck set reach any of *futures* (*how*: DIRECT
        through anything, HELD through a running thread's own variables)?"""
        if not futures:
            return False
        self.asked_the_heap = True
        if self.walk is False:
            return False
        if self.walk is None:
            return True  # (the walk could not be made: assume a thread reaches it)
        key = (id(futures[0]), how) if len(futures) == 1 else None
        if key is not None and key in self._reachable:
            return self._reachable[key]
        answer = self.walk.reaches(futures, through_globals=how == DIRECT)
        if key is not None:
            self._reachable[key] = answer
        return answer

    def pool_may_run(self, record: _PoolRecord) -> bool:
        """Will a worker of the pool ever take another call from its queue?"""
        if len(record.workers) < record.max_workers:
            return True  # a submit() from anywhere would start one more worker
        return any(self.progresses(t) for t in record.workers)

    def cut(self, holder: Any) -> bool | None:
        """For the heap walk: True to stop at *holder*, None if it is a root."""
        detector = self.detector
        kind = type(holder)
        if kind is _Wait or kind is _PoolRecord or kind is _Search or kind is _Detector:
            return True
        if holder is detector._queued_in or holder is detector._runner:
            return True
        record = self.queues.get(id(holder))
        if record is not None and holder is record.work_queue:
            # A debug pool's queue: its calls run if the pool may run (a
            # root), else never (a cut: the detector models the queue).
            return None if self.pool_may_run(record) else True
        return False

    # -- the message --

    def chain(self, wait: _Wait) -> str:
        """'A waits for F run by B', 'B waits for ...', one line each, from *wait* on."""
        lines = []
        seen: set[threading.Thread] = set()
        current: _Wait | None = wait
        while current is not None and current.thread not in seen:
            seen.add(current.thread)
            text, next_thread = self.link(current)
            lines.append(text)
            current = self.waits.get(next_thread) if next_thread is not None else None
        return ";\n".join(lines)

    def link(self, wait: _Wait) -> tuple[str, threading.Thread | None]:
        """One step of the chain, and the thread it leads to (if any)."""
        targets = self.targets[wait.thread]
        blocker = next((t for t in targets if not self.target_may_finish(wait, t)), None)
        who = self.name(wait.thread)
        if blocker is None:  # an "any" wait all of whose targets are stuck
            blocker = targets[0]
        if isinstance(blocker, threading.Thread):
            return "%s %s %s" % (who, wait.what, self.name(blocker)), blocker
        count = len(targets)
        if wait.what == "waits for" or count == 1:
            head = "%s waits for %s" % (who, _describe(blocker))
        else:
            head = "%s %s %d futures, such as %s" % (who, wait.what, count, _describe(blocker))
        runner = self.detector._runner.get(blocker)
        if runner is not None:
            return "%s run by %s" % (head, self.name(runner)), runner
        record = self.detector._queued_in.get(blocker)
        if record is not None:
            return (
                "%s, queued in a pool whose %d worker(s) are all waiting"
                % (head, sum(1 for t in record.workers if t.is_alive())),
                None,
            )
        return "%s, which no thread outside this deadlock can reach" % head, None

    def name(self, thread: threading.Thread) -> str:
        return ("worker %s" if thread in self.worker_of else "thread %s") % thread.name


def _describe(future: Future[Any]) -> str:
    """repr(future) without its lock (the checker may not take it; see _Detector._lock).

    Exact for the futures a deadlock holds: they are never finished, so the
    repr has no result type.
    """
    return "<%s at %#x state=%s>" % (
        future.__class__.__name__,
        id(future),
        STATE_DESCRIPTIONS[future._state],
    )


_detector = _Detector()
_WAIT_CODE = _wait_code()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_detector.forget_after_fork)


def install() -> None:
    """Let every blocking wait reach the detector (from the first use of debug mode on)."""
    future_module.watch_blocking(_detector)
