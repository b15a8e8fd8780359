"""The seed's notebooks, and debug mode, in a real Jupyter kernel.

- Each notebook (docs/notebooks/seed.ipynb, English; seed.ko.ipynb) runs again in a fresh
  kernel (nbclient, ipykernel), and every code cell's output is compared
  with the one stored in the notebook (the one the docs show): streams and
  results as text, errors by name and message, rich outputs by kind.
  What changes from run to run is masked first: addresses, timings, the
  order of a deadlock's chain.
- The Jupyter column of the deadlock table (benchmarks/deadlocks.py): each
  shape, waited for in the kernel's main thread among the kernel's own
  threads, is a DeadlockError within a second.
- Without debug mode, an interrupted wait leaves its worker blocked; what
  the docs say brings the kernel back: ``shutdown(cancel_futures=True)``.

Needs the notebook extra (``pip install .[notebook]``); nox installs it for
one interpreter per run and sets MINIPOOL_REQUIRE_NOTEBOOKS=1 there, so
that a missing kernel fails instead of skipping.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

if not os.environ.get("MINIPOOL_REQUIRE_NOTEBOOKS"):
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")

import nbformat
from benchmarks import deadlocks
from nbclient import NotebookClient

ROOT = Path(__file__).parent.parent
NOTEBOOKS = [ROOT / "docs" / "notebooks" / name for name in ("seed.ipynb", "seed.ko.ipynb")]
sys.path.insert(0, str(ROOT / "docs" / "notebooks"))

pytestmark = pytest.mark.timeout(300)


def test_both_languages_are_there_with_the_same_code() -> None:
    import build  # docs/notebooks/build.py

    books = [nbformat.read(str(path), 4) for path in NOTEBOOKS]
    codes = [[c.source for c in book.cells if c.cell_type == "code"] for book in books]
    assert codes[0] == codes[1]
    # The stored notebooks are what build.py writes (outputs aside).
    for language, book in zip(("en", "ko"), books):
        written = build.notebook(language)
        assert [c.source for c in book.cells] == [c.source for c in written.cells]  # type: ignore[attr-defined]


def normalized(text: str) -> str:
    """Mask what differs between two runs of the same cell."""
    text = re.sub(r"base64,[A-Za-z0-9+/=]+", "base64,<png>", text)
    text = re.sub(r"0x[0-9a-f]+", "0x…", text)
    text = re.sub(r"\d+\.\d+", "<number>", text)
    return text


def shown(outputs: list[Any]) -> list[tuple[Any, ...]]:
    """A cell's outputs, observed; a stream's pieces joined (the kernel may cut it anywhere)."""
    joined: list[Any] = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (
            output["output_type"] == "stream"
            and previous is not None
            and previous["output_type"] == "stream"
            and previous["name"] == output["name"]
        ):
            joined[-1] = {**previous, "text": previous["text"] + output["text"]}
        else:
            joined.append(output)
    return [observed(output) for output in joined]


def observed(output: Any) -> tuple[Any, ...]:
    """What a cell's output shows, masked: comparable across runs."""
    kind = output["output_type"]
    if kind == "stream":
        return (kind, output["name"], normalized(output["text"]))
    if kind == "error":
        # A deadlock's chain starts at whichever worker raised first: its
        # lines are compared as a set.
        lines = sorted(normalized(output["evalue"]).rstrip(";").split(";\n"))
        return (kind, output["ename"], tuple(line.rstrip(";") for line in lines))
    data = output["data"]
    shown = {mime: normalized(str(value)) for mime, value in data.items() if mime != "image/png"}
    return (kind, tuple(sorted(data)), tuple(sorted(shown.items())))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_shows_what_the_notebook_stores(path: Path) -> None:
    stored = nbformat.read(str(path), 4)
    fresh = copy.deepcopy(stored)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(fresh, timeout=120, kernel_name="python3").execute()
    checked = 0
    for before, after in zip(stored.cells, fresh.cells):
        if before.cell_type != "code":
            continue
        assert shown(after.outputs) == shown(before.outputs), before.source
        checked += 1
    assert checked == 12
    # The outputs that carry the lesson, named (the comparison above holds them too).
    errors = [o for c in fresh.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]  # fmt: skip
    assert [e.ename for e in errors] == ["DeadlockError", "DeadlockError"]
    texts = "".join(o.get("text", "") for c in fresh.cells if c.cell_type == "code"
                    for o in c.outputs)  # fmt: skip
    assert "as_completed: [2, 0, 1]" in texts and "map:          [0, 1, 2]" in texts
    assert "CancelledError()" in texts
    rich = [o for c in fresh.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "execute_result" and "text/html" in o.data]  # fmt: skip
    assert rich[0].data["text/html"].startswith("<table><caption>minipool pool stats")
    assert rich[1].data["text/html"].startswith('<img src="data:image/png;base64,')


# -- a kernel of our own ------------------------------------------------------


@pytest.fixture
def kernel() -> Any:
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client: Any, code: str) -> tuple[str, dict[str, Any]]:
    """Execute *code*; its printed output and its reply's content."""
    printed: list[str] = []

    def keep(message: dict[str, Any]) -> None:
        if message["header"]["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    reply = client.execute_interactive(code, timeout=120, output_hook=keep)
    return "".join(printed), reply["content"]


def test_the_deadlock_table_in_a_kernel_every_shape_within_a_second() -> None:
    row = deadlocks.measure_jupyter()  # the kernel column of python -m benchmarks.deadlocks
    assert set(row) == set(deadlocks.SHAPES)
    slow = {shape: seconds for shape, seconds in row.items() if seconds is None or seconds >= 1.0}
    assert not slow


HANG = """
import threading, minipool
waiting = threading.Event()
pool = minipool.ThreadPoolExecutor(max_workers=1)   # default mode: no debug

def outer():
    inner = pool.submit(pow, 5, 2)   # queued behind this call, on the only worker
    waiting.set()
    return inner.result()            # blocks for ever

future = pool.submit(outer)
waiting.wait()                       # the worker is in outer(), about to wait for ever
print("waiting", flush=True)
future.result()                      # hangs, as the standard library does
"""

RECOVER = """
print(waiting.is_set(), [t.name for t in pool._threads if t.is_alive()])
pool.shutdown(wait=True, cancel_futures=True)   # cancels inner: the worker's wait ends
print([t.name for t in pool._threads if t.is_alive()])
with minipool.ThreadPoolExecutor(max_workers=1) as fresh:
    print(fresh.submit(pow, 2, 5).result())
"""


def test_an_interrupted_hang_leaves_its_worker_blocked_until_a_cancelling_shutdown(
    kernel: Any,
) -> None:
    manager, client = kernel
    message_id = client.execute(HANG, stop_on_error=False)
    # Interrupt once the cell has printed: the worker is then blocked (or
    # about to be) for ever, and the main thread in (or about to enter) its wait.
    while True:
        message = client.get_iopub_msg(timeout=60)
        if message["parent_header"].get("msg_id") != message_id:
            continue
        if message["header"]["msg_type"] == "stream" and "waiting" in message["content"]["text"]:
            break
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=60)
    while reply["parent_header"].get("msg_id") != message_id:
        reply = client.get_shell_msg(timeout=60)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    # What is left: the worker, still blocked in inner.result().  The kernel
    # is alive; the documented way out frees the worker.
    printed, content = run(client, RECOVER)
    assert content["status"] == "ok", content
    assert printed.splitlines() == ["True ['ThreadPoolExecutor-0_0']", "[]", "32"]
