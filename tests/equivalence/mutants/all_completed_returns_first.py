"""wait(return_when=ALL_COMPLETED) returns as soon as one future is done."""

from concurrent.futures import wait as _wait

from ._stdlib import *  # noqa: F403
from ._stdlib import ALL_COMPLETED, FIRST_COMPLETED


def wait(fs, timeout=None, return_when=ALL_COMPLETED):  # type: ignore[no-untyped-def]
    if return_when == ALL_COMPLETED:
        return_when = FIRST_COMPLETED
    return _wait(fs, timeout, return_when)
