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

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

from .model import BASE_EXCEPTION, EXCEPTION, NESTED, ScenarioModel

# The public names a module must offer to be tested.
API_NAMES = (
    "ThreadPoolExecutor",
    "Future",
    "wait",
    "as_completed",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "ALL_COMPLETED",
    "CancelledError",
    "TimeoutError",
    "InvalidStateError",
    "BrokenExecutor",
)
API_EXCEPTIONS = ("CancelledError", "TimeoutError", "InvalidStateError", "BrokenExecutor")

# How long a blocked call is watched before it is recorded as blocking.  A
# correct implementation blocks for good; this only bounds how long the
# suite looks for a call that returns when it should not.
BLOCKS_CHECK = 0.02

# How long a task waits for its gate.  Every scenario opens every gate before
# it ends, so this bound is only reached if the harness itself is broken.
GATE_BOUND = 60.0

# Object addresses in reprs (0x7f...) and ids in messages ("Future 1396... in
# unexpected state") differ from run to run and between the two worlds.
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+|\b\d{9,}\b")


class TaskAbort(BaseException):
    """What a task raises for the outcome "base exception"."""


class HarnessError(Exception):
    """The reference missed an event the model predicted: the model, not the candidate, is wrong."""


def blank_addresses(text: str) -> str:
    return _ADDRESS.sub("0x?", text)


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

    def __init__(self, api: ModuleType, label: str, bound: float):
        self.api = api
        self.label = label  # also the prefix of every thread this world starts
        self.bound = bound
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

    # -- describing what a user sees ------------------------------------------

    def describe_exception(self, exc: BaseException) -> tuple[Any, ...]:
        """An exception as a user tells it apart: its public type, message, and origin."""
        kind = next(
            (f"api.{name}" for name in API_EXCEPTIONS if type(exc) is getattr(self.api, name)),
            f"{type(exc).__module__}.{type(exc).__qualname__}",
        )
        with self.changed:  # a helper may describe while the step adds tasks
            from_task = any(task.raised is exc for task in self.tasks.values())
        return (kind, blank_addresses(str(exc)), "raised by a task" if from_task else "")

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
        with self.changed:
            task.started = True
            task.thread = threading.current_thread().name
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
        caller.start()
        caller.join(0.0 if self.missed_any else self.bound)
        if caller.is_alive():
            self.stuck_callers.append(caller)
            self.misses.append("the step's call to return")
            self.missed_any = True
            return ("blocked; the reference returned",)
        if "error" in box:
            raise box["error"]
        return box["observed"]

    def new_pool(self, max_workers: int) -> None:
        prefix = f"{self.label}-pool{len(self.pools)}"
        self.pools.append(
            self.api.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=prefix)
        )

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
        """Run *call* in a helper thread; report whether it is still blocked a moment later."""
        helper = Helper(self, f"{self.label}-helper{helper_id}", call)
        self.helpers[helper_id] = helper
        helper.thread.join(BLOCKS_CHECK)
        if helper.finished:
            return ("did not block", helper.outcome)
        return ("blocks",)

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
        with self.changed:
            if self.changed.wait_for(predicate, timeout=bound):
                return True
        self.misses.append(what)
        self.missed_any = True
        return False

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

    def _callbacks_done(self, key: int) -> bool:
        if key not in self.done_keys:
            return False
        called = sum(1 for call in self.callback_calls if call[1] == f"f{key}")
        return called >= self.callbacks_registered[key]

    def _log_records_elsewhere(self) -> int:
        # A callback that raises in the caller thread is logged before the call
        # returns; one that raises in a worker is logged a moment after it runs.
        return sum(1 for record in self.log_records if record[0] != "caller")

    def snapshot(self, model: ScenarioModel) -> dict[str, Any]:
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
            callbacks = list(self.callback_calls)
            records = list(self.log_records)
            blocked = sorted(i for i, h in self.helpers.items() if not h.finished)
        workers = [self._worker_threads(i) for i in range(len(self.pools))]
        return {
            "futures": futures,
            "tasks": tasks,
            "callback calls": callbacks,
            "log records": records,
            "blocked helpers": blocked,
            "workers within max_workers": [
                len(names) <= model.pools[i].max_workers for i, names in enumerate(workers)
            ],
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
        for pool in self.pools:
            try:
                pool.shutdown(wait=True)
            except Exception:
                pass
        for thread in [*(h.thread for h in self.helpers.values()), *self.stuck_callers]:
            thread.join(self.bound)
