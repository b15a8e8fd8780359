"""``copy_context=True``: run each call in a copy of its submitter's contextvars context (an extra).

The standard library's pool runs every call in the worker's own
:mod:`contextvars` context, so a :class:`~contextvars.ContextVar` set by the
code that submits (a request id, a logging tag) is not seen by the call.
``asyncio.to_thread`` copies the caller's context instead; a pool made with
``copy_context=True`` does the same for every ``submit()``: the copy is
taken in ``submit()``, and the call runs as ``context.run(fn, *args,
**kwargs)`` in the worker.

It implements one moment of :mod:`minipool.hooks`: ``prepare``, which
replaces the call before it is queued.
"""

from __future__ import annotations

import contextvars
from typing import Any, Callable

from minipool.hooks import PoolHooks

__all__ = ["CopyContext"]


class CopyContext(PoolHooks):
    """Replaces each call with the same call run in a copy of the submitter's context."""

    def prepare(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]:
        # Taken now, in the submitting thread; Context.run(fn, *args,
        # **kwargs) calls fn inside it, in the worker.
        return contextvars.copy_context().run, (fn, *args), kwargs
