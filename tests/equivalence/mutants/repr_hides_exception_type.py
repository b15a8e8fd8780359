"""repr() of a failed future says "returned NoneType", as if it had succeeded."""

from concurrent.futures import _base

from ._stdlib import *  # noqa: F403
from ._stdlib import pool_whose_futures_are


class Future(_base.Future):  # type: ignore[type-arg]
    def __repr__(self):  # type: ignore[no-untyped-def]
        text = super().__repr__()
        if " raised " in text:
            return text.split(" raised ")[0] + " returned NoneType>"
        return text


ThreadPoolExecutor = pool_whose_futures_are(Future)
