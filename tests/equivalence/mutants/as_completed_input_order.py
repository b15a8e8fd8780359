"""as_completed() yields the futures still pending in input order, not as they finish."""

import time

from ._stdlib import *  # noqa: F403
from ._stdlib import TimeoutError, wait


def as_completed(fs, timeout=None):  # type: ignore[no-untyped-def]
    end_time = None if timeout is None else time.monotonic() + timeout
    unique = list(dict.fromkeys(fs))
    done, _ = wait(unique, timeout=0)
    yield from done
    pending = [f for f in unique if f not in done]
    for index, future in enumerate(pending):
        remaining = None if end_time is None else max(0.0, end_time - time.monotonic())
        if not wait([future], timeout=remaining).done:
            raise TimeoutError(f"{len(pending) - index} (of {len(unique)}) futures unfinished")
        yield future
