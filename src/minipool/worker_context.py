"""Worker contexts (3.14+): how a subclass of the pool changes the way its workers run.

From 3.14 the pool asks its class, ``prepare_context(initializer, initargs,
**ctxkwargs)``, for two functions: ``create_context()``, called once per
worker for that worker's context (``initialize()`` first, breaking the pool
if it raises; ``run(task)`` for each call; ``finalize()`` last), and
``resolve_task(fn, args, kwargs)``, with which ``submit()`` makes a call a
task.  The standard library's ``InterpreterPoolExecutor`` is such a subclass.

A plain pool makes no context: its workers call the initializer and each call
themselves, so only a subclass that overrides ``prepare_context()``, or calls
the default, loads this module.
"""

from __future__ import annotations

from typing import Any, Callable


class WorkerContext:
    """The default worker context: call the initializer, then each call as it is."""

    @classmethod
    def prepare(
        cls, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
    ) -> tuple[Callable[[], WorkerContext], Callable[..., Any]]:
        """Check *initializer*; return ``(create_context, resolve_task)``."""
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        return (lambda: cls(initializer, initargs)), (lambda fn, args, kwargs: (fn, args, kwargs))

    def __init__(self, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]):
        self.initializer, self.initargs = initializer, initargs

    def initialize(self) -> None:
        """Run in the worker before its first call."""
        if self.initializer is not None:
            self.initializer(*self.initargs)

    def finalize(self) -> None:
        """Run in the worker as it ends."""

    def run(self, task: Any) -> Any:
        """Run one call, a task of ``resolve_task()``, and return its result."""
        fn, args, kwargs = task
        return fn(*args, **kwargs)
