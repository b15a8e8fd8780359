"""as_completed()'s TimeoutError counts duplicates in "N (of M) futures unfinished"."""

from concurrent.futures import as_completed as _as_completed

from ._stdlib import *  # noqa: F403
from ._stdlib import TimeoutError


def as_completed(fs, timeout=None):  # type: ignore[no-untyped-def]
    fs = list(fs)
    try:
        yield from _as_completed(fs, timeout)
    except TimeoutError as exc:
        unfinished = str(exc).split()[0]
        raise TimeoutError(f"{unfinished} (of {len(fs)}) futures unfinished") from None
