"""wait() puts running futures in the done set when its timeout runs out."""

from concurrent.futures import wait as _wait
from concurrent.futures._base import DoneAndNotDoneFutures

from ._stdlib import *  # noqa: F403
from ._stdlib import ALL_COMPLETED


def wait(fs, timeout=None, return_when=ALL_COMPLETED):  # type: ignore[no-untyped-def]
    done, not_done = _wait(fs, timeout, return_when)
    running = {f for f in not_done if f.running()}
    return DoneAndNotDoneFutures(done | running, not_done - running)
