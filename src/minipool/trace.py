"""The task timeline: record when each call was submitted, started and ended, and on which worker.

An opt-in tracer for every :class:`~minipool.ThreadPoolExecutor`::

    >>> from minipool import ThreadPoolExecutor, trace
    >>> with trace.record() as recording, ThreadPoolExecutor(max_workers=2) as pool:
    ...     _ = list(pool.map(abs, range(-5, 5)))
    >>> len(recording.tasks), sorted({task.outcome for task in recording.tasks})
    (10, ['returned'])

A :class:`Recording` exports Chrome / Perfetto trace-event JSON
(:meth:`Recording.write_trace_events`: open it at https://ui.perfetto.dev or
chrome://tracing) and, with matplotlib installed (the ``bench`` extra), draws
a Gantt chart with one row per worker (:meth:`Recording.write_gantt`).  As a
notebook cell's last line, a recording shows as that chart, inline (a text
table, :meth:`Recording.table`, without matplotlib).

How it attaches: while a recording is on, the timeline's hooks hear every
pool's calls (:func:`minipool.combine.add_everywhere`): each call queued gets
a watch that notes when it was queued, started and ended, and by which
worker.  So a call is recorded, whatever pool runs it, if a recording was
on when it was submitted; each recording still on when it ends (or is
skipped, cancelled) gets it.  With no recording on, the timeline costs
``submit()`` one read of a variable, and a worker nothing.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import html
import io
import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from minipool import combine
from minipool import hooks as seam
from minipool.stats import clock

if TYPE_CHECKING:
    from minipool.future import Future

__all__ = ["Recording", "TaskRecord", "record"]


@dataclasses.dataclass(frozen=True)
class TaskRecord:
    """One call, as a worker saw it.  Times are seconds on one monotonic clock."""

    worker: str
    """The name of the worker thread that ran (or skipped) the call."""
    task: int
    """The call's number in the recording, in the order the calls ended."""
    submitted: float
    """When ``submit()`` queued it."""
    started: float
    """When the worker took it and started it."""
    ended: float
    """When it ended (for a cancelled call, when the worker skipped it: = started)."""
    outcome: str
    """``"returned"``, ``"raised"`` or ``"cancelled"``."""


class Recording:
    """The calls that ended while :func:`record` was on."""

    def __init__(self) -> None:
        #: The calls, in the order they ended (:class:`TaskRecord` each).
        self.tasks: list[TaskRecord] = []
        self.started = clock()  # the zero of the exported times
        # _lock guards appending to tasks: numbering a call (len()) and
        # appending it are one step, so that no two calls get one number
        # (two workers ending at once would, without it, on any build).
        # Readers take no lock: they may miss a call that is being added,
        # never see a half-added one (list.append is atomic, with the GIL
        # and, by the list's own lock, without it).
        self._lock = threading.Lock()

    def _add(
        self, worker: str, submitted: float, started: float, ended: float, outcome: str
    ) -> None:
        with self._lock:
            number = len(self.tasks)
            self.tasks.append(TaskRecord(worker, number, submitted, started, ended, outcome))

    # -- reading it --

    def workers(self) -> list[str]:
        """The workers that ran a call, by name."""
        return sorted({task.worker for task in self.tasks})

    def busy_fraction(self) -> float:
        """Time spent in calls over (workers x the span from first start to last end)."""
        if not self.tasks:
            return 0.0
        span = max(t.ended for t in self.tasks) - min(t.started for t in self.tasks)
        busy = sum(t.ended - t.started for t in self.tasks)
        return busy / (span * len(self.workers())) if span > 0 else 1.0

    def to_trace_events(self) -> dict[str, Any]:
        """The recording in the Chrome / Perfetto trace-event format, as a JSON-ready dict.

        Each worker is a thread track; each call is a complete event (``"X"``)
        on its worker's track, and its time in the queue an async slice
        (``"b"`` / ``"e"``) on a "queue" track; a skipped cancelled call is an
        instant event (``"i"``).  Times are microseconds from the recording's start.
        """
        pid = os.getpid()
        tids = {name: number for number, name in enumerate(self.workers(), start=1)}
        queue_tid = 0
        events: list[dict[str, Any]] = [
            {"ph": "M", "name": "process_name", "pid": pid, "tid": queue_tid,
             "args": {"name": "minipool"}},
            {"ph": "M", "name": "thread_name", "pid": pid, "tid": queue_tid,
             "args": {"name": "queue"}},
        ]  # fmt: skip
        for name, tid in tids.items():
            events.append(
                {"ph": "M", "name": "thread_name", "pid": pid, "tid": tid, "args": {"name": name}}
            )

        def us(seconds: float) -> float:
            return round((seconds - self.started) * 1e6, 3)

        for task in self.tasks:
            label = "call %d" % task.task
            args = {"task": task.task, "outcome": task.outcome, "worker": task.worker}
            events.append(
                {"ph": "b", "cat": "queue", "name": label, "id": task.task, "pid": pid,
                 "tid": queue_tid, "ts": us(task.submitted), "args": args}
            )  # fmt: skip
            events.append(
                {"ph": "e", "cat": "queue", "name": label, "id": task.task, "pid": pid,
                 "tid": queue_tid, "ts": us(task.started)}
            )  # fmt: skip
            if task.outcome == "cancelled":
                events.append(
                    {"ph": "i", "s": "t", "cat": "call", "name": label + " (cancelled)",
                     "pid": pid, "tid": tids[task.worker], "ts": us(task.started), "args": args}
                )  # fmt: skip
            else:
                events.append(
                    {"ph": "X", "cat": "call", "name": label, "pid": pid,
                     "tid": tids[task.worker], "ts": us(task.started),
                     "dur": round((task.ended - task.started) * 1e6, 3), "args": args}
                )  # fmt: skip
        return {"traceEvents": events, "displayTimeUnit": "ms"}

    def write_trace_events(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_trace_events` as JSON to *path*; return the path."""
        path = Path(path)
        path.write_text(json.dumps(self.to_trace_events()), encoding="utf-8")
        return path

    def table(self) -> str:
        """A text table: per worker, its calls by outcome and its busy time."""
        workers = self.workers()
        width = max([len("worker"), *(len(w) for w in workers)])
        lines = ["%-*s  calls  returned  raised  cancelled  busy ms" % (width, "worker")]
        for worker in workers:
            mine = [t for t in self.tasks if t.worker == worker]
            count = {o: sum(1 for t in mine if t.outcome == o) for o in _COLOURS}
            busy = sum(t.ended - t.started for t in mine) * 1e3
            lines.append(
                "%-*s  %5d  %8d  %6d  %9d  %7.1f"
                % (width, worker, len(mine), count["returned"], count["raised"],
                   count["cancelled"], busy)
            )  # fmt: skip
        lines.append("busy %.0f%% of the time" % (100 * self.busy_fraction()))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """In a notebook: the Gantt chart, inline (with matplotlib), else the text table."""
        try:
            image = self._draw_gantt(io.BytesIO(), "minipool: calls per worker", None)
        except ImportError:
            return "<pre>%s</pre>" % html.escape(self.table())
        encoded = base64.b64encode(image.getvalue()).decode("ascii")
        return '<img src="data:image/png;base64,%s" alt="%s"/>' % (
            encoded,
            html.escape(
                "Gantt chart: %d calls on %d workers" % (len(self.tasks), len(self.workers()))
            ),
        )

    def write_gantt(
        self,
        path: str | os.PathLike[str],
        title: str = "minipool: calls per worker",
        mark: tuple[str, float] | None = None,
    ) -> Path:
        """Draw one row per worker, a bar per call, to an image at *path* (needs matplotlib).

        *mark*, a ``(label, seconds)`` pair, draws a dashed line that many
        seconds after the recording started: say, when a plain loop would
        have been done.
        """
        path = Path(path)
        self._draw_gantt(path, title, mark)
        return path

    def _draw_gantt(self, target: Any, title: str, mark: tuple[str, float] | None) -> Any:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        workers = self.workers()
        figure, axes = plt.subplots(figsize=(10, 1.2 + 0.5 * len(workers)))
        for row, worker in enumerate(workers):
            for outcome, colour in _COLOURS.items():
                bars = [
                    ((t.started - self.started) * 1e3, max((t.ended - t.started) * 1e3, 1e-3))
                    for t in self.tasks
                    if t.worker == worker and t.outcome == outcome
                ]
                if bars:
                    axes.broken_barh(
                        bars, (row - 0.4, 0.8), facecolor=colour, edgecolor="white",
                        linewidth=0.3, label=outcome,
                    )  # fmt: skip
        if mark is not None:
            label, seconds = mark
            axes.axvline(seconds * 1e3, color="black", linestyle="--", label=label)
        axes.set_yticks(range(len(workers)))
        axes.set_yticklabels(workers)
        axes.set_xlabel("milliseconds since the recording started")
        axes.set_title("%s (busy %.0f%% of the time)" % (title, 100 * self.busy_fraction()))
        handles, labels = axes.get_legend_handles_labels()
        unique = dict(zip(labels, handles))
        if unique:
            axes.legend(unique.values(), unique.keys(), loc="lower right", framealpha=0.9)
        figure.tight_layout()
        figure.savefig(target, dpi=100, format="png")
        plt.close(figure)
        return target


_COLOURS = {"returned": "tab:blue", "raised": "tab:red", "cancelled": "tab:grey"}


# The recordings on now.  _recordings_lock guards the list, and the
# attaching of _timeline to every pool; watches read the list without it
# (they only iterate a list that is replaced, never changed).
_recordings_lock = threading.Lock()
_recordings: list[Recording] = []


class _Timeline(seam.PoolHooks):
    """The hooks every pool's calls meet while a recording is on."""

    def queued(self, future: Future[Any]) -> seam.CallWatch:
        return _TraceWatch(clock())


class _TraceWatch(seam.CallWatch):
    """One call's times; handed to the recordings on when it ends."""

    __slots__ = ("_queued_at", "_started_at")

    def __init__(self, queued_at: float) -> None:
        self._queued_at = queued_at
        self._started_at = 0.0

    def started(self) -> None:
        self._started_at = clock()

    def ended(self, outcome: str) -> None:
        self._record(self._started_at, clock(), outcome)

    def skipped(self) -> None:
        now = clock()
        self._record(now, now, "cancelled")

    def _record(self, started: float, ended: float, outcome: str) -> None:
        worker = threading.current_thread().name
        for recording in _recordings:
            recording._add(worker, self._queued_at, started, ended, outcome)


_timeline = _Timeline()


@contextlib.contextmanager
def record() -> Iterator[Recording]:
    """Record every call submitted to any minipool pool while the ``with`` block runs.

    Each call is recorded when it ends (or is skipped, cancelled), by every
    recording on at that moment.  Recordings may nest or overlap; each gets
    the calls of its own span.
    """
    global _recordings
    recording = Recording()
    with _recordings_lock:
        if not _recordings:
            combine.add_everywhere(_timeline)
        _recordings = [*_recordings, recording]
    try:
        yield recording
    finally:
        with _recordings_lock:
            _recordings = [r for r in _recordings if r is not recording]
            if not _recordings:
                combine.remove_everywhere(_timeline)
