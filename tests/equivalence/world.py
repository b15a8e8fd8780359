"""One implementation's side of a scenario: its pools, futures, tasks and observations.

A scenario runs in two worlds, one on the reference (``concurrent.futures``)
and one on the candidate, step by step.  Each step does the same calls in
both worlds; each world writes down what a user could see; the driver
compares the two records.

A world only uses the public names of its implementation module
(``ThreadPoolExecutor``, ``Future``, ``wait``, ``as_completed``, the
constants and the exceptions), so any module that offers them can be
tested.

Tasks are *gated*: each one says it has started, then blocks until the
scenario opens its gate.  The scenario, not the scheduler, chooses the
interleaving.  After each step the world waits, with a bound, for the events
the model predicts (tasks that start, futures that finish, callbacks that
run, blocked calls that return).  Only then does it look.  A predicted event
that does not come within the bound is a *miss*: it is written into the
observation, so a candidate that misses an event the reference met shows up
as a divergence.
"""

from __future__ import annotations

import concurrent.futures
import logging
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

from minipool.compare import blank_addresses

from .model import (
    BARE,
    BASE_EXCEPTION,
    EXCEPTION,
    FALSY_EXCEPTION,
    NESTED,
    RUNNING,
    ScenarioModel,
)

API_EXCEPTIONS = ("CancelledError", "TimeoutError", "InvalidStateError", "BrokenExecutor")
# Whether the handlers compared include the standard library's classes: set by
# conftest, true when the candidate is a drop-in (its Future a concurrent.futures.Future).
# minipool's own classes are distinct from the standard library's on purpose
# (docs/differences.rst), so for it only its own classes are compared.
STDLIB_HANDLERS_COMPARED = False

# How long a helper's call may stay busy (neither returned nor parked)
# before it is recorded as blocking.  A correct implementation parks at once
# and blocks for good; this only bounds the look at one that does neither.
BLOCKS_CHECK = 0.02

# How long a task waits for its gate.  Every scenario opens every gate before
# it ends, so this bound is only reached if the harness itself is broken.
GATE_BOUND = 60.0

# How often the workers' activity is sampled while waiting for them to go
# quiet, and so how long a worker must stay in one blocking call to count as
# parked (two samples apart).
QUIET_POLL = 0.0005

# The C calls a parked thread sits in: a lock's acquire() (Event.wait,
# Condition.wait and Semaphore.acquire end in one) and SimpleQueue.get().
BLOCKING_CALLS = frozenset({"acquire", "acquire_lock", "get"})


# Threads that a diverged candidate left blocked even after force_cleanup()
# unblocked everything it could reach (a wrong map() waiting on futures only
# the candidate knows, say).  Nothing can end them; they are daemon threads,
# so they cannot keep the process alive.  The thread-leak check reports them
# as a warning about the candidate instead of waiting on them again.
# Appended and read only by the test's own thread (teardown, then the
# fixture), never by a world's threads: no lock is needed, GIL or not.
ABANDONED: list[threading.Thread] = []


class Budget:
    """How long the candidate gets for a predicted event, and how that shrinks after a divergence.

    A candidate that blocks where the reference returns costs the full bound
    (``--equivalence-bound``) each time.  Hypothesis finds one such scenario
    and then shrinks it by replaying hundreds of variants, and every variant
    that still blocks would cost the full bound again: minutes before the
    report.  So once a scenario has diverged, later scenarios of the run
    give the candidate a *short bound*: ten times the longest it ever took
    for an event it did meet in this run, at least ``SHORT_BOUND_MIN``, at
    most the full bound.  A call that blocked once is known to block; a slow
    but correct candidate (one that needs seconds for an event) keeps a
    bound that it meets.

    The bound is fixed when a scenario starts, never in the middle of one,
    so that replaying a scenario (as hypothesis does before it reports)
    sees the same bounds as the run that shrank it.  Fields are written by
    the test's thread and by the worlds' caller threads, read when a
    scenario starts; they are only ever raised (slowest_met) or set
    (diverged), and one test's scenarios run one at a time, so a lost race
    costs at most one scenario's bound, never a wrong observation.  They
    are guarded by ``lock`` all the same, for free-threaded builds.
    """

    SHORT_BOUND_MIN = 0.25
    SHORT_BOUND_FACTOR = 10.0

    def __init__(self, bound: float) -> None:
        self.full = bound
        self.lock = threading.Lock()  # guards diverged and slowest_met
        self.diverged = False  # a scenario of this run diverged
        self.slowest_met = 0.0  # seconds: the longest the candidate took for an event it met

    def for_next_scenario(self) -> float:
        with self.lock:
            if not self.diverged:
                return self.full
            short = max(self.SHORT_BOUND_MIN, self.SHORT_BOUND_FACTOR * self.slowest_met)
            return min(self.full, short)

    def met(self, seconds: float) -> None:
        with self.lock:
            self.slowest_met = max(self.slowest_met, seconds)

    def divergence_seen(self) -> None:
        with self.lock:
            self.diverged = True


class TaskAbort(BaseException):
    """What a task raises for the outcome "base exception"."""


class FalsyError(ValueError):
    """What a task raises for the outcome "falsy exception": false as a truth value."""

    def __bool__(self) -> bool:
        return False


class HarnessError(Exception):
    """The reference missed an event the model predicted: the model, not the candidate, is wrong."""


def _unavailable(blocked_on: Any) -> bool:
    """Would a blocking call on *blocked_on* wait now?  (A held lock, an empty queue.)"""
    if hasattr(blocked_on, "locked"):
        return bool(blocked_on.locked())
    if hasattr(blocked_on, "empty"):
        return bool(blocked_on.empty())
    return True  # a lock type without locked() (an RLock before 3.14): trust the call


@dataclass
class Task:
    """What a world knows of one submitted task, filled in by the task itself."""

    key: int
    outcome: str
    child: int | None = None
    gate: threading.Event = field(default_factory=threading.Event)
    started: bool = False
    finished: bool = False
    thread: str = ""
    # Whether the thread that ran it was started in the same step ("a new
    # thread") or existed before ("an earlier worker"), with its pool.
    runner: str = ""
    raised: BaseException | None = None  # the very exception the task raised


class Helper:
    """A thread that makes one blocking call for the scenario and keeps its outcome.

    ``progress`` collects what the call yields as it goes (the futures of an
    ``as_completed()`` loop).
    """

    def __init__(self, world: World, name: str, call: Callable[[Helper], Any]) -> None:
        self.world = world
        self.progress: list[Any] = []
        self.outcome: Any = None
        self.finished = False
        self._call = call
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        self.world.follow_this_thread()
        outcome = self.world.outcome_of(lambda: self._call(self))
        with self.world.changed:
            self.outcome = outcome
            self.finished = True
            self.world.changed.notify_all()

    def report(self, item: Any) -> None:
        with self.world.changed:
            self.progress.append(item)
            self.world.changed.notify_all()


class World:
    """The pools, futures and records of one implementation in one scenario."""

    def __init__(self, api: ModuleType, label: str, bound: float, budget: Budget | None = None):
        self.api = api
        self.label = label  # also the prefix of every thread this world starts
        self.bound = bound
        # The candidate's world reports to the run's budget how long its events took.
        self.budget = budget
        # Tasks, callbacks and helpers report progress here; settle() waits on it.
        # It guards the fields those threads write: Task.started/finished/thread/raised,
        # done_keys, callback_calls, raising_callbacks_elsewhere, log_records,
        # and Helper.progress/outcome/finished.  It also guards adding to
        # futures and tasks (a worker adds a future when its task submits a
        # child; the step adds tasks): a thread that goes through them (a
        # helper naming the future it got, the step taking a snapshot) copies
        # them under it, in known_futures(), since iterating a dict while
        # another thread adds to it is a race (a RuntimeError or a missed
        # entry, with the GIL or without).
        self.changed = threading.Condition()
        self.pools: list[Any] = []
        self.futures: dict[int, Any] = {}  # visible futures by key
        self.done_keys: set[int] = set()  # visible futures whose done-callbacks began
        self.tasks: dict[int, Task] = {}
        self.maps: list[Iterator[Any]] = []
        self.helpers: dict[int, Helper] = {}
        self.callbacks_registered: dict[int, int] = {}
        self.callback_calls: list[tuple[Any, ...]] = []
        self.raising_callbacks_elsewhere = 0  # raising callbacks run outside a caller thread
        self.stuck_callers: list[threading.Thread] = []
        self.log_records: list[tuple[Any, ...]] = []
        self.misses: list[str] = []
        self.missed_any = False
        self.bare_keys: set[int] = set()
        self.pool_of_child: dict[int, int] = {}  # a nested task's child key -> pool index
        # Every worker thread each pool started, in the order their
        # initializer ran (guarded by `changed`), and what each followed
        # thread (worker or helper) is doing: its profile function (see
        # follow_this_thread) replaces its entry with (events so far, the
        # object of the blocking call it is in, or None) at every call and
        # return.  Only that thread writes its entry;
        # the step's thread reads it.  Replacing a dict value is atomic with
        # the GIL and, on free-threaded builds, under the dict's own lock, so
        # the reader sees one whole tuple, old or new.
        self.started_workers: list[list[threading.Thread]] = []
        self.activity: dict[int, tuple[int, Any]] = {}
        self.workers_before_step: set[int] = set()  # thread idents
        self.quiet_at: dict[int, int] | None = None  # activity counts when last found quiet

    # -- describing what a user sees ------------------------------------------

    def describe_exception(self, exc: BaseException) -> tuple[Any, ...]:
        """An exception as a user tells it apart: its public type, message, and origin."""
        kind = next(
            (f"api.{name}" for name in API_EXCEPTIONS if type(exc) is getattr(self.api, name)),
            f"{type(exc).__module__}.{type(exc).__qualname__}",
        )
        with self.changed:  # a helper may describe while the step adds tasks
            from_task = any(task.raised is exc for task in self.tasks.values())
        origin = "raised by a task" if from_task else ""
        return (kind, blank_addresses(str(exc)), origin, self.handlers_catching(exc))

    def handlers_catching(self, exc: BaseException) -> tuple[str, ...]:
        """Which ``except`` clauses catch *exc*: the implementation's exception classes,
        RuntimeError and Exception; when the candidate is a drop-in, also the standard
        library's classes, which code written for it catches (STDLIB_HANDLERS_COMPARED)."""
        handlers = [(f"api.{name}", getattr(self.api, name)) for name in API_EXCEPTIONS]
        handlers += [("RuntimeError", RuntimeError), ("Exception", Exception)]
        if STDLIB_HANDLERS_COMPARED:
            handlers += [(f"stdlib.{n}", getattr(concurrent.futures, n)) for n in API_EXCEPTIONS]
        return tuple(name for name, cls in handlers if isinstance(exc, cls))

    def outcome_of(self, call: Callable[[], Any]) -> tuple[Any, ...]:
        """('returned', value) or ('raised', exception), for comparing."""
        try:
            return ("returned", self.describe_value(call()))
        except (Exception, TaskAbort) as exc:
            return ("raised", *self.describe_exception(exc))

    def describe_value(self, value: Any) -> Any:
        if isinstance(value, BaseException):  # what exception() returns
            return ("exception", *self.describe_exception(value))
        if isinstance(value, self.api.Future):
            return f"f{self.key_of(value)}"
        if isinstance(value, (set, frozenset)):
            return sorted(self.describe_value(v) for v in value)
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            return (type(value).__name__, value._fields, *(self.describe_value(v) for v in value))
        if isinstance(value, (list, tuple)):
            return [self.describe_value(v) for v in value]
        if isinstance(value, str):
            return blank_addresses(value)
        return value

    def known_futures(self) -> list[tuple[int, Any]]:
        """The visible futures by key, in key order: a copy, safe to go through."""
        with self.changed:
            return sorted(self.futures.items())

    def key_of(self, future: Any) -> Any:
        for key, known in self.known_futures():
            if known is future:
                return key
        return "?"

    def thread_role(self) -> str:
        """Which of this world's threads runs: "caller", "pool0", "helper7"..."""
        return threading.current_thread().name.split("_")[0].removeprefix(self.label + "-")

    # -- tasks ------------------------------------------------------------------

    def run_task(self, key: int, tag: str = "") -> str:
        """The function every task runs: report the start, wait at the gate, finish."""
        task = self.tasks[key]
        if task.outcome == NESTED and task.child is not None:
            self._submit_child(task.child)
        thread = threading.current_thread()
        with self.changed:
            task.started = True
            task.thread = thread.name
            new = thread.ident not in self.workers_before_step
            age = "a new" if new else "an earlier"
            task.runner = f"{age} worker of {self._pool_of(thread.name)}"
            self.changed.notify_all()
        if not task.gate.wait(GATE_BOUND):
            raise HarnessError(f"the gate of task {key} was never opened")
        with self.changed:
            task.finished = True
            self.changed.notify_all()
        if task.outcome == EXCEPTION:
            task.raised = ValueError(f"t{key}")
            raise task.raised
        if task.outcome == BASE_EXCEPTION:
            task.raised = TaskAbort(f"t{key}")
            raise task.raised
        if task.outcome == FALSY_EXCEPTION:
            task.raised = FalsyError(f"t{key}")
            raise task.raised
        return f"t{key}{tag}"

    def run_map_item(self, key: int, extra: str = "") -> str:
        return self.run_task(key, extra)

    def _submit_child(self, key: int) -> None:
        pool = self.pools[self.pool_of_child[key]]
        try:
            child = pool.submit(self.run_task, key, tag="-child")
        except RuntimeError as exc:
            self.tasks[key].raised = exc
            return
        self._track(key, child)

    def _track(self, key: int, future: Any) -> None:
        """Know *future* by *key*, and hear when it is done (a callback of the world's own)."""
        with self.changed:
            self.futures[key] = future
            self.callbacks_registered.setdefault(key, 0)

        def signal_done(_: Any) -> None:
            with self.changed:
                self.done_keys.add(key)
                self.changed.notify_all()

        future.add_done_callback(signal_done)

    # -- actions the scenario takes ---------------------------------------------

    def call(self, act: Callable[[], Any]) -> Any:
        """Run one step's calls in a caller thread, waiting for it at most the bound.

        A call the model expects to return at once but that blocks in the
        candidate is recorded, instead of hanging the whole suite.
        """
        box: dict[str, Any] = {}

        def run() -> None:
            try:
                box["observed"] = act()
            except BaseException as exc:  # a harness error: hand it to the driver
                box["error"] = exc

        caller = threading.Thread(target=run, name=f"{self.label}-caller", daemon=True)
        began = time.perf_counter()
        caller.start()
        caller.join(0.0 if self.missed_any else self.bound)
        if not caller.is_alive():
            self._met(time.perf_counter() - began)
        else:
            self.stuck_callers.append(caller)
            self.misses.append("the step's call to return")
            self.missed_any = True
            return ("blocked; the reference returned",)
        if "error" in box:
            raise box["error"]
        return box["observed"]

    def new_pool(self, max_workers: int) -> Any:
        """Make a pool whose workers this world can watch (see watch_worker)."""
        index = len(self.pools)
        with self.changed:
            self.started_workers.append([])
        try:
            pool = self.api.ThreadPoolExecutor(
                max_workers=max_workers,
                thread_name_prefix=f"{self.label}-pool{index}",
                initializer=self.watch_worker,
                initargs=(index,),
            )
        except Exception as exc:  # an implementation without initializer=, say
            return ("raised", *self.describe_exception(exc))
        self.pools.append(pool)
        return ("returned", None)

    # -- worker threads ----------------------------------------------------------

    def watch_worker(self, pool: int) -> None:
        """Every pool's initializer: note the new worker and follow what it does."""
        with self.changed:
            self.started_workers[pool].append(threading.current_thread())
        self.follow_this_thread()

    def follow_this_thread(self) -> None:
        """Note, at every call and return of this thread, whether it is in a blocking call.

        The profile function sees each call and return of the thread.  It
        notes when the thread enters one of the BLOCKING_CALLS, and on which
        object, so that parked() can tell a parked thread (blocked on an
        empty queue or a held lock) from one that is still busy.  Workers
        (wait_until_quiet) and helpers (start_helper) are followed.
        """
        ident = threading.get_ident()
        activity = self.activity
        activity[ident] = (0, None)

        def profile(frame: Any, event: str, arg: Any) -> None:
            events = activity[ident][0] + 1
            if event == "c_call" and getattr(arg, "__name__", "") in BLOCKING_CALLS:
                activity[ident] = (events, getattr(arg, "__self__", None))
            else:
                activity[ident] = (events, None)

        sys.setprofile(profile)

    def parked(self, ident: int | None) -> tuple[int, Any] | None:
        """A followed thread's activity if it is in a blocking call that would wait now."""
        state = self.activity.get(ident) if ident is not None else None
        if state is None or state[1] is None or not _unavailable(state[1]):
            return None
        return state

    def _pool_of(self, thread_name: str) -> str:
        return thread_name.removeprefix(self.label + "-").split("_")[0]

    def _worker_threads_now(self) -> list[threading.Thread]:
        prefix = f"{self.label}-pool"
        return [t for t in threading.enumerate() if t.name.startswith(prefix)]

    def _quiet_counts(self) -> dict[int, int] | None:
        """Each live worker's event count, if every one is parked now; else None."""
        counts = {}
        for thread in self._worker_threads_now():
            state = self.parked(thread.ident)  # None too if its initializer has not run yet
            if not thread.is_alive():
                continue  # it ended between enumerate() and here
            if state is None:
                return None
            counts[thread.ident] = state[0]
        return counts

    def wait_until_quiet(self) -> bool:
        """Wait (bounded) until every worker thread is parked or has ended.

        Parked means: inside a blocking call on an empty queue or a held
        lock, and still in that same call one poll later (a worker that has
        just been handed the lock, but not yet returned, moves on within the
        poll).  Only then are the counts of threads started and alive
        settled: a worker that finished a call counts itself idle before it
        parks, and submit() decides by that count whether to start a thread.

        This polls, because no event tells it that a thread has parked; the
        poll is short and happens only after workers moved.
        """
        previous: list[dict[int, int] | None] = [None]

        def quiet() -> bool:
            counts = self._quiet_counts()
            if counts is not None and counts in (previous[0], self.quiet_at):
                self.quiet_at = counts
                return True
            previous[0] = counts
            return False

        return self.poll_until(quiet, "the worker threads to park or end")

    def poll_until(self, check: Callable[[], bool], what: str) -> bool:
        """Like wait_for(), for changes no one notifies (a thread parking or ending): it polls."""
        deadline = time.perf_counter() + (0.0 if self.missed_any else self.bound)
        began = time.perf_counter()
        while not check():
            if time.perf_counter() >= deadline:
                self.misses.append(what)
                self.missed_any = True
                return False
            time.sleep(QUIET_POLL)
        self._met(time.perf_counter() - began)
        return True

    def note_workers_before_step(self) -> None:
        self.workers_before_step = {t.ident for t in self._worker_threads_now() if t.ident}

    def worker_threads(self) -> list[tuple[list[str], int]]:
        """For each pool: the names of the threads it started, and how many are alive."""
        with self.changed:
            started = [list(threads) for threads in self.started_workers]
        return [
            (
                sorted(t.name.removeprefix(self.label + "-") for t in threads),
                sum(1 for t in threads if t.is_alive()),
            )
            for threads in started
        ]

    def submit(self, pool: int, key: int | None, outcome: str, child: int | None) -> Any:
        """submit() a gated task as *key* (None: the model expects submit() to raise)."""
        if key is not None:
            with self.changed:
                self.tasks[key] = Task(key, outcome, child)
                if child is not None:
                    self.tasks[child] = Task(child, "value")
                    self.pool_of_child[child] = pool
        try:
            future = self.pools[pool].submit(self.run_task, key, tag="")
        except (Exception, TaskAbort) as exc:
            return ("raised", *self.describe_exception(exc))
        self._track(key if key is not None else -1, future)
        return ("returned", f"f{key}")

    def new_bare_future(self, key: int) -> None:
        self.bare_keys.add(key)
        self._track(key, self.api.Future())

    def add_done_callback(self, key: int, callback_id: int, raises: bool) -> Any:
        future = self.futures[key]

        def callback(argument: Any) -> None:
            role = self.thread_role()
            task = self.tasks.get(key)
            if task is not None and threading.current_thread().name == task.thread:
                role = "the thread that ran the task"
            with self.changed:
                self.callback_calls.append(
                    (callback_id, f"f{key}", argument is future, argument.done(), role)
                )
                if raises and role != "caller":
                    self.raising_callbacks_elsewhere += 1
                self.changed.notify_all()
            if raises:
                raise RuntimeError(f"callback {callback_id} fails")

        with self.changed:
            self.callbacks_registered[key] += 1
        return self.outcome_of(lambda: future.add_done_callback(callback))

    def start_helper(self, helper_id: int, call: Callable[[Helper], Any]) -> Any:
        """Run *call* in a helper thread; report whether it blocks.

        It blocks once the helper is parked: in a blocking call that would
        wait, and still in that same call one poll later (as a worker parks,
        see wait_until_quiet).  A helper still busy after BLOCKS_CHECK counts
        as blocking too; one that returns early is seen later, in the
        snapshot's "blocked helpers".  Waiting for the park rather than for
        a fixed time matters for speed: a scenario has many blocking steps,
        and hypothesis replays scenarios by the hundred while it shrinks one.
        """
        helper = Helper(self, f"{self.label}-helper{helper_id}", call)
        self.helpers[helper_id] = helper
        deadline = time.perf_counter() + BLOCKS_CHECK
        seen = None
        while not helper.finished:
            state = self.parked(helper.thread.ident)
            if (state is not None and state == seen) or time.perf_counter() >= deadline:
                return ("blocks",)
            seen = state
            time.sleep(QUIET_POLL)
        return ("did not block", helper.outcome)

    def finish_helper(self, helper_id: int) -> Any:
        """The outcome of a helper the model says must now return."""
        helper = self.helpers.pop(helper_id)
        if not self.wait_for(lambda: helper.finished, f"helper {helper_id} to return"):
            self.helpers[helper_id] = helper  # still blocked: keep it for the cleanup
            return ("still blocked",)
        helper.thread.join(self.bound)
        return ("returned", helper.progress, helper.outcome)

    # -- settling and looking -------------------------------------------------------

    def wait_for(self, predicate: Callable[[], bool], what: str) -> bool:
        """Wait (bounded) until *predicate* holds; record a miss if it does not."""
        # After one miss, do not spend the bound again in this world: the step
        # has already diverged and the rest is recorded as it is.
        bound = 0.0 if self.missed_any else self.bound
        began = time.perf_counter()
        with self.changed:
            if self.changed.wait_for(predicate, timeout=bound):
                self._met(time.perf_counter() - began)
                return True
        self.misses.append(what)
        self.missed_any = True
        return False

    def _met(self, seconds: float) -> None:
        if self.budget is not None:
            self.budget.met(seconds)

    def settle(self, model: ScenarioModel) -> None:
        """Wait for every event the model predicts: starts, finishes, callbacks, log records."""
        for key, predicted in model.futures.items():
            task = self.tasks.get(key)
            if task is not None and predicted.started:
                self.wait_for(lambda task=task: task.started, f"task {key} to start")
            if predicted.done and key in self.futures:
                self.wait_for(lambda key=key: self._callbacks_done(key), f"f{key} to be done")
            elif task is not None and predicted.state == "finished":
                self.wait_for(lambda task=task: task.finished, f"task {key} to finish")
        self.wait_for(
            lambda: self._log_records_elsewhere() >= self.raising_callbacks_elsewhere,
            "the log record of each failing callback",
        )
        for pool in model.pools:
            if pool.shut_down:
                self._wait_for_idle_workers_to_end(model, pool.index)
        self.wait_until_quiet()

    def _wait_for_idle_workers_to_end(self, model: ScenarioModel, pool: int) -> None:
        """After shutdown(), a pool keeps one worker per running call; the idle ones end.

        This is waited for as a predicted event, not left to wait_until_quiet():
        a worker woken from its queue by shutdown() can look parked for a
        moment after it took the wake-up and before its call returned.
        """
        running = sum(
            1
            for f in model.futures.values()
            if f.pool == pool and f.kind != BARE and f.state == RUNNING
        )

        def ended() -> bool:
            with self.changed:
                threads = list(self.started_workers[pool])
            return sum(1 for t in threads if t.is_alive()) <= running

        self.poll_until(ended, f"the idle workers of pool{pool} to end after its shutdown")

    def _callbacks_done(self, key: int) -> bool:
        if key not in self.done_keys:
            return False
        called = sum(1 for call in self.callback_calls if call[1] == f"f{key}")
        return called >= self.callbacks_registered[key]

    def _log_records_elsewhere(self) -> int:
        # A callback that raises in the caller thread is logged before the call
        # returns; one that raises in a worker is logged a moment after it runs.
        return sum(1 for record in self.log_records if record[0] != "caller")

    def snapshot(self) -> dict[str, Any]:
        """Everything a user could look at now, addresses blanked out."""
        futures = {
            f"f{key}": (
                blank_addresses(repr(future)),
                future.done(),
                future.running(),
                future.cancelled(),
            )
            for key, future in self.known_futures()
        }
        with self.changed:
            tasks = {
                f"t{key}": ("started" if t.started else "", "finished" if t.finished else "")
                for key, t in sorted(self.tasks.items())
            }
            # Which task ran on which kind of thread is not determined when
            # one step both wakes an idle worker and starts a thread (a map()
            # of two items: the new thread may take the first): compared is
            # how many tasks ran on new threads and how many on earlier ones.
            runners = sorted(t.runner for t in self.tasks.values() if t.started)
            callbacks = list(self.callback_calls)
            records = list(self.log_records)
            blocked = sorted(i for i, h in self.helpers.items() if not h.finished)
        return {
            "futures": futures,
            "tasks": tasks,
            "threads that ran the tasks": runners,
            "callback calls": callbacks,
            "log records": records,
            "blocked helpers": blocked,
            "worker threads (started, alive)": self.worker_threads(),
            "misses": list(self.misses),
        }

    def _worker_threads(self, pool: int) -> list[str]:
        prefix = f"{self.label}-pool{pool}_"
        return [t.name for t in threading.enumerate() if t.name.startswith(prefix)]

    def alive_workers(self, pool: int) -> list[str]:
        return self._worker_threads(pool)

    # -- log records --------------------------------------------------------------

    def take_log_record(self, record: logging.LogRecord, role: str) -> None:
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else None
        with self.changed:
            self.log_records.append(
                (
                    role,
                    record.name,
                    record.levelname,
                    blank_addresses(record.getMessage()),
                    exc_type,
                )
            )
            self.changed.notify_all()

    # -- cleanup --------------------------------------------------------------------

    def force_cleanup(self) -> None:
        """After a divergence: unblock and stop everything, whatever state it is in."""
        for task in list(self.tasks.values()):
            task.gate.set()
        for pool in self.pools:
            try:
                pool.shutdown(wait=False, cancel_futures=True)
            except Exception:
                pass
        for key, future in self.known_futures():
            # Wake any helper still waiting: notify cancelled futures, finish bare ones.
            try:
                if future.cancelled():
                    future.set_running_or_notify_cancel()
                elif key in self.bare_keys and not future.done():
                    future.set_result(None)
            except (Exception, TaskAbort):
                pass  # already notified or already set: nothing left to wake

        def join_pools() -> None:
            for pool in self.pools:
                try:
                    pool.shutdown(wait=True)
                except Exception:
                    pass

        # Bounded: a candidate that hangs in shutdown() must not hang the
        # suite, which has already failed and reports the divergence.
        joiner = threading.Thread(target=join_pools, name=f"{self.label}-cleanup", daemon=True)
        joiner.start()
        # One deadline for every join: a candidate that left many threads
        # blocked for good must cost one bound here, not one per thread
        # (shrinking replays this cleanup hundreds of times).
        deadline = time.monotonic() + max(self.bound, 1.0)
        threads = [joiner, *(h.thread for h in self.helpers.values()), *self.stuck_callers]
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        ABANDONED.extend(thread for thread in threads if thread.is_alive())
