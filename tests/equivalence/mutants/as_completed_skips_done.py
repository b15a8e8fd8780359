"""as_completed() leaves out the futures that were already done when it was called."""

from concurrent.futures import as_completed as _as_completed

from ._stdlib import *  # noqa: F403


def as_completed(fs, timeout=None):  # type: ignore[no-untyped-def]
    fs = list(fs)
    already = {f for f in fs if f.done()}
    pending = [f for f in fs if f not in already]
    yield from _as_completed(pending, timeout)
