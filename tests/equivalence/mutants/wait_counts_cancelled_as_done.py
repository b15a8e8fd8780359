"""wait() counts a cancelled future as done at once, before a worker has taken it off the queue.

A plausible "improvement": the standard library only counts a cancelled
future once it is *notified*, which happens when a worker reaches it.
"""

from concurrent.futures import wait as _wait
from concurrent.futures._base import DoneAndNotDoneFutures

from ._stdlib import *  # noqa: F403
from ._stdlib import ALL_COMPLETED, FIRST_COMPLETED


def wait(fs, timeout=None, return_when=ALL_COMPLETED):  # type: ignore[no-untyped-def]
    fs = set(fs)
    cancelled = {f for f in fs if f.cancelled()}
    if cancelled and (return_when == FIRST_COMPLETED or cancelled == fs):
        done = cancelled | {f for f in fs if f.done()}
        return DoneAndNotDoneFutures(done, fs - done)
    done, not_done = _wait(fs - cancelled, timeout, return_when)
    return DoneAndNotDoneFutures(done | cancelled, not_done)
