"""minipool.trace: what a recording holds, its Perfetto trace events, and the Gantt chart."""

from __future__ import annotations

import base64
import html
import json
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import minipool
import minipool.thread_pool
from conftest import Gate
from minipool import ThreadPoolExecutor, trace


def fail() -> None:
    raise ValueError("no")


def test_a_recording_holds_each_call_with_its_worker_times_and_outcome() -> None:
    gate = Gate()
    with trace.record() as recording, ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(gate.task, "blocker")
        gate.wait_started("blocker")
        returns = pool.submit(abs, -1)
        raises = pool.submit(fail)
        cancelled = pool.submit(abs, -2)
        cancelled.cancel()
        gate.open("blocker")
        minipool.wait([returns, raises])
    outcomes = [task.outcome for task in recording.tasks]
    assert outcomes == ["returned", "returned", "raised", "cancelled"]
    assert {task.worker for task in recording.tasks} == {
        "ThreadPoolExecutor-%s_0" % pool._thread_name_prefix.rsplit("-", 1)[1]
    }
    for task in recording.tasks:
        assert task.submitted <= task.started <= task.ended
    # One worker: each call starts after the one before it ended.
    for before, after in zip(recording.tasks, recording.tasks[1:]):
        assert before.ended <= after.started


def test_nothing_is_recorded_outside_a_recording_and_the_hook_is_removed() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        pool.submit(abs, 1).result()
        with trace.record() as recording:
            assert minipool.thread_pool.every_pool is not None
            pool.submit(abs, 2).result()
        assert minipool.thread_pool.every_pool is None
        pool.submit(abs, 3).result()
    assert len(recording.tasks) == 1


def test_overlapping_recordings_each_get_the_calls_of_their_span() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool, trace.record() as outer:
        pool.submit(abs, 1).result()
        with trace.record() as inner:
            pool.submit(abs, 2).result()
        pool.submit(abs, 3).result()
    assert (len(outer.tasks), len(inner.tasks)) == (3, 1)


def test_busy_fraction_of_calls_that_sleep_on_one_worker_is_near_one() -> None:
    with trace.record() as recording, ThreadPoolExecutor(max_workers=1) as pool:
        list(pool.map(threading.Event().wait, [0.02] * 5))  # each call waits 20 ms
    assert 0.8 < recording.busy_fraction() <= 1.0


# -- the trace-event format -------------------------------------------------
#
# The Trace Event Format (the JSON that chrome://tracing and Perfetto load):
# an object with "traceEvents", a list of events; each has "ph" (phase),
# "name", "pid", "tid", and, except metadata, "ts" in microseconds.  Complete
# events ("X") also have "dur"; async events ("b"/"e") have "cat" and "id",
# and each "b" is closed by an "e" with the same cat, id and name; instant
# events ("i") have a scope "s" in g/p/t; metadata ("M") names processes and
# threads with args.name.

REQUIRED = {"ph": str, "name": str, "pid": int, "tid": int}
BY_PHASE: dict[str, dict[str, Any]] = {
    "X": {"ts": (int, float), "dur": (int, float)},
    "b": {"ts": (int, float), "cat": str, "id": (int, str)},
    "e": {"ts": (int, float), "cat": str, "id": (int, str)},
    "i": {"ts": (int, float), "s": str},
    "M": {"args": dict},
}


def validate_trace_events(document: Any) -> None:
    """Raise AssertionError unless *document* is a valid trace-event file."""
    assert isinstance(document, dict) and isinstance(document.get("traceEvents"), list)
    assert document.get("displayTimeUnit", "ms") in ("ms", "ns")
    open_async: dict[tuple[str, Any, str], float] = {}
    for event in document["traceEvents"]:
        for key, kind in {**REQUIRED, **BY_PHASE[event["ph"]]}.items():
            assert isinstance(event.get(key), kind), (key, event)
        if event["ph"] == "X":
            assert event["dur"] >= 0 and event["ts"] >= 0, event
        if event["ph"] == "i":
            assert event["s"] in ("g", "p", "t"), event
        if event["ph"] == "M":
            assert event["name"] in ("process_name", "thread_name"), event
            assert isinstance(event["args"].get("name"), str), event
        if event["ph"] == "b":
            open_async[(event["cat"], event["id"], event["name"])] = event["ts"]
        if event["ph"] == "e":
            began = open_async.pop((event["cat"], event["id"], event["name"]))
            assert event["ts"] >= began, event
    assert not open_async, "async slices never closed: %s" % open_async
    json.dumps(document)  # plain JSON all the way down


def test_the_trace_events_are_valid_and_describe_every_call(tmp_path: Path) -> None:
    with trace.record() as recording, ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(fail if n % 5 == 0 else abs, -n) for n in range(40)]
        futures[-1].cancel()
        minipool.wait(futures[:-1])
    path = recording.write_trace_events(tmp_path / "trace.json")
    document = json.loads(path.read_text())
    validate_trace_events(document)
    events = document["traceEvents"]
    calls = [e for e in events if e["ph"] in ("X", "i")]
    assert len(calls) == len(recording.tasks)
    assert sum(1 for e in events if e["ph"] == "b") == len(recording.tasks)
    threads = {e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert threads == {"queue", *recording.workers()}
    raised = [e for e in calls if e["args"]["outcome"] == "raised"]
    assert len(raised) == sum(1 for t in recording.tasks if t.outcome == "raised")


@pytest.mark.parametrize(
    "broken",
    [
        {"traceEvents": [{"ph": "X", "name": "a", "pid": 1, "tid": 1, "ts": 0}]},  # no dur
        {"traceEvents": [{"ph": "b", "name": "a", "pid": 1, "tid": 1, "ts": 0, "cat": "q",
                          "id": 1}]},  # never closed
        {"events": []},
    ],
)  # fmt: skip
def test_the_validator_rejects_broken_trace_events(broken: Any) -> None:
    with pytest.raises((AssertionError, KeyError)):
        validate_trace_events(broken)


def test_the_gantt_chart_is_a_png_with_a_row_per_worker(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    with trace.record() as recording, ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(abs, range(100)))
    path = recording.write_gantt(tmp_path / "gantt.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_calls_ended_at_once_by_many_workers_get_one_number_each() -> None:
    # Numbering and appending are one step under the recording's lock; without
    # it, two workers ending together (common on a free-threaded build) share
    # a number, and the trace events get two slices with one id.
    calls = 20_000
    with trace.record() as recording, ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(abs, -n) for n in range(calls)]:
            future.result()
    numbers = [task.task for task in recording.tasks]
    assert sorted(numbers) == list(range(calls))


# -- in a notebook --------------------------------------------------------


def recording_of_a_known_workload() -> trace.Recording:
    """Five calls on one worker: three return, one raises, one is cancelled while queued."""
    gate = threading.Event()
    with (
        trace.record() as recording,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="solo") as pool,
    ):
        first = pool.submit(gate.wait, 10)
        rest = [pool.submit(abs, -1), pool.submit(abs, -2), pool.submit(divmod, 1, 0)]
        doomed = pool.submit(abs, -3)
        assert doomed.cancel()
        gate.set()
        minipool.wait([first, *rest])
    return recording


def test_the_text_table_counts_each_workers_calls_by_outcome() -> None:
    lines = recording_of_a_known_workload().table().splitlines()
    assert lines[0].split() == ["worker", "calls", "returned", "raised", "cancelled", "busy", "ms"]
    name, calls, returned, raised, cancelled, _busy = lines[1].split()
    assert (name, calls, returned, raised, cancelled) == ("solo_0", "5", "3", "1", "1")
    assert lines[-1].startswith("busy ") and lines[-1].endswith("% of the time")


def test_in_a_notebook_a_recording_shows_as_an_inline_gantt_chart() -> None:
    pytest.importorskip("matplotlib")
    shown = recording_of_a_known_workload()._repr_html_()
    assert shown.startswith('<img src="data:image/png;base64,')
    encoded = shown.split("base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(encoded).startswith(b"\x89PNG\r\n\x1a\n")
    assert 'alt="Gantt chart: 5 calls on 1 workers"' in shown


def test_without_matplotlib_a_recording_shows_as_its_text_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recording = recording_of_a_known_workload()
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    shown = recording._repr_html_()
    assert shown == "<pre>%s</pre>" % html.escape(recording.table())
