"""Several extras on one pool: hooks and watches that tell each extra in turn.

A pool has one hooks object (:mod:`minipool.hooks`); a pool made with
several extras (``stats=True, max_pending=8``) gets the extras' hooks
combined into one by :func:`combine`.  The timeline's recordings hear every
pool's calls: :func:`add_everywhere` combines them with each pool's own
hooks, through :func:`minipool.thread_pool.hear_every_pool`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from minipool import thread_pool
from minipool.hooks import CallWatch, PoolHooks

if TYPE_CHECKING:
    from minipool.future import Future

__all__ = ["add_everywhere", "combine", "remove_everywhere"]


class _CombinedWatch(CallWatch):
    """The watches of several extras for one call, told in order."""

    __slots__ = ("_watches",)

    def __init__(self, watches: list[CallWatch]) -> None:
        self._watches = watches

    def started(self) -> None:
        for watch in self._watches:
            watch.started()

    def ended(self, outcome: str) -> None:
        for watch in self._watches:
            watch.ended(outcome)

    def skipped(self) -> None:
        for watch in self._watches:
            watch.skipped()


class _CombinedHooks(PoolHooks):
    """Several extras on one pool, each told of every moment, in the order given."""

    def __init__(self, hooks: list[PoolHooks]) -> None:
        self._hooks = hooks

    def prepare(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        for hooks in self._hooks:
            fn, args, kwargs = hooks.prepare(fn, args, kwargs)
        return fn, args, kwargs

    def admit(self) -> Callable[..., Future[Any]] | None:
        # The first extra that does not queue the call decides what runs instead.
        for hooks in self._hooks:
            run_instead = hooks.admit()
            if run_instead is not None:
                return run_instead
        return None

    def queued(self, future: Future[Any]) -> CallWatch | None:
        watches = [w for w in (hooks.queued(future) for hooks in self._hooks) if w is not None]
        if not watches:
            return None
        return watches[0] if len(watches) == 1 else _CombinedWatch(watches)

    def drained(self, futures: Sequence[Future[Any]], broken: bool) -> None:
        for hooks in self._hooks:
            hooks.drained(futures, broken)

    def worker_added(self, thread: threading.Thread) -> None:
        for hooks in self._hooks:
            hooks.worker_added(thread)

    def worker_waiting(self) -> None:
        for hooks in self._hooks:
            hooks.worker_waiting()

    def join_workers(self, threads: Iterable[threading.Thread]) -> None:
        # Each in turn: a thread joined once is joined at once the second time.
        threads = list(threads)
        for hooks in self._hooks:
            hooks.join_workers(threads)


def combine(*hooks: PoolHooks | None) -> PoolHooks | None:
    """One :class:`~minipool.hooks.PoolHooks` that tells each of *hooks* (Nones left out),
    or None if none."""
    present = [h for h in hooks if h is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else _CombinedHooks(present)


# The hooks that hear every pool's calls.  _everywhere_lock guards the list
# and the call to hear_every_pool() that follows each change of it.
_everywhere_lock = threading.Lock()
_everywhere: list[PoolHooks] = []


def add_everywhere(hooks: PoolHooks) -> None:
    """Let *hooks* hear the calls submitted from now on to every pool."""
    with _everywhere_lock:
        _everywhere.append(hooks)
        _hear_all_of(list(_everywhere))


def remove_everywhere(hooks: PoolHooks) -> None:
    """Undo :func:`add_everywhere` (calls already queued keep their watches)."""
    with _everywhere_lock:
        _everywhere.remove(hooks)
        _hear_all_of(list(_everywhere))


def _hear_all_of(everywhere: list[PoolHooks]) -> None:
    """Make every pool's submit() combine its own hooks with *everywhere* (a copy)."""
    if not everywhere:
        thread_pool.hear_every_pool(None)
        return

    def widen(own: PoolHooks | None) -> PoolHooks:
        combined = combine(own, *everywhere)
        assert combined is not None  # everywhere is not empty
        return combined

    thread_pool.hear_every_pool(widen)
