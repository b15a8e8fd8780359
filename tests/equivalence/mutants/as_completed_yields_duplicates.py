"""as_completed() yields a future given twice twice, instead of once."""

from concurrent.futures import as_completed as _as_completed

from ._stdlib import *  # noqa: F403


def as_completed(fs, timeout=None):  # type: ignore[no-untyped-def]
    fs = list(fs)
    for future in _as_completed(fs, timeout):
        for _ in range(max(1, fs.count(future))):
            yield future
