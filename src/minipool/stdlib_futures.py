"""Waiting on the standard library's futures too: the adapter for mixed waits (an extra).

:func:`minipool.wait` and :func:`minipool.as_completed` accept
:class:`concurrent.futures.Future` objects beside minipool's (see
:mod:`minipool.waiting`).  Both kinds keep the same states under the same
names and tell their waiters through the same three methods
(``add_result``, ``add_exception``, ``add_cancelled``), so a minipool waiter
works in either.  Two things differ, and this module knows them:

- the lock: a standard library future guards its state with ``_condition``
  (a :class:`threading.Condition` around an ``RLock``) where ours has
  ``_state_lock``;
- the list of waiters: it is always a list, and a finished future keeps it,
  where ours drops it (``None``) once final.

It reads those private fields of the standard library's class, and nothing
else; it never imports :mod:`concurrent.futures` (the futures come from the
caller).  :mod:`minipool.waiting` imports it the first time it meets such a
future.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from minipool.future import FINAL_STATES, tell_of_final

__all__ = ["add_waiter", "remove_waiter"]

if TYPE_CHECKING:
    import threading

    from typing_extensions import Protocol

    T_co = TypeVar("T_co", covariant=True)

    class _StdlibFuture(Protocol[T_co]):  # a concurrent.futures.Future, for type checkers
        _condition: threading.Condition

        def result(self, timeout: float | None = None) -> T_co: ...


def add_waiter(future: Any, waiter: Any) -> bool:
    """Install *waiter* in a standard library *future*, or tell it now if the future is final.

    The same contract as minipool's ``Future._add_waiter()``: the waiter
    hears of the future exactly once; True: the future keeps its waiters
    once final, so the caller takes it out with :func:`remove_waiter`.
    """
    with future._condition:
        if future._state not in FINAL_STATES:
            future._waiters.append(waiter)
            return True
    # Final: tell the waiter as the future would have.  (Read without the
    # lock: a final future's fields never change.)
    tell_of_final(future, waiter)
    return True


def remove_waiter(future: Any, waiter: Any) -> None:
    """Take *waiter* out of a standard library *future* again, if it is there.

    It is not there when the future was final before :func:`add_waiter` was
    called; otherwise it is, done or not (the standard library keeps its
    waiters).
    """
    with future._condition:
        try:
            future._waiters.remove(waiter)
        except ValueError:
            pass
