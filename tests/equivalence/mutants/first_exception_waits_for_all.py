"""wait(return_when=FIRST_EXCEPTION) waits for every future, as ALL_COMPLETED does."""

from concurrent.futures import wait as _wait

from ._stdlib import *  # noqa: F403
from ._stdlib import ALL_COMPLETED, FIRST_EXCEPTION


def wait(fs, timeout=None, return_when=ALL_COMPLETED):  # type: ignore[no-untyped-def]
    if return_when == FIRST_EXCEPTION:
        return_when = ALL_COMPLETED
    return _wait(fs, timeout, return_when)
