"""wait(timeout=0) waits without a timeout instead of returning at once."""

from concurrent.futures import wait as _wait

from ._stdlib import *  # noqa: F403
from ._stdlib import ALL_COMPLETED


def wait(fs, timeout=None, return_when=ALL_COMPLETED):  # type: ignore[no-untyped-def]
    return _wait(fs, None if timeout == 0 else timeout, return_when)
