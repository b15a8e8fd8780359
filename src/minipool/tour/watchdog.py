"""Seeing a hang: a bounded wait, then where every thread of a pool is waiting.

The tour runs the seed's deadlocks on purpose.  It never sleeps and hopes:
it waits for the futures with a timeout (the *bound*); if they are not done
by then, the program is stuck, and :func:`where_threads_wait` shows, for each
worker thread of the pool, the line of the task it is blocked on.
"""

from __future__ import annotations

import linecache
import sys
import threading
from types import FrameType, ModuleType
from typing import Any, Iterable, List, Tuple


def hangs(impl: ModuleType, futures: Iterable[Any], bound: float) -> bool:
    """True if *futures* are not all done within *bound* seconds."""
    result = impl.wait(list(futures), timeout=bound)
    return bool(result.not_done)


def where_threads_wait(thread_name_prefix: str, task_file: str) -> List[Tuple[str, str, str]]:
    """(thread name, task function, source line) for each live thread of the prefix.

    The line is the innermost frame that belongs to *task_file* (the file of
    the task functions): the call in the task that is blocked, such as
    ``inner.result()``, rather than the lock inside the library.
    """
    frames = sys._current_frames()
    found = []
    for thread in sorted(threading.enumerate(), key=lambda t: t.name):
        if not thread.name.startswith(thread_name_prefix) or thread.ident is None:
            continue
        frame: FrameType | None = frames.get(thread.ident)
        while frame is not None and frame.f_code.co_filename != task_file:
            frame = frame.f_back
        if frame is None:
            continue
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        found.append((thread.name, frame.f_code.co_name, line))
    return found
