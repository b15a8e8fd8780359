"""Worker contexts: Python 3.14's hook for subclasses of the thread pool.

From 3.14 on, the pool asks the class method ``prepare_context(initializer,
initargs, **ctxkwargs)`` how its workers run.  It returns
``create_context()``, called once per worker to make that worker's context
(``initialize()`` first, in the worker, breaking the pool if it raises;
``run(task)`` per call; ``finalize()`` last), and ``resolve_task(fn, args,
kwargs)``, which ``submit()`` uses to turn a call into a task.  The default,
:class:`WorkerContext`, just calls; minipool makes and uses contexts only for
a subclass that overrides ``prepare_context()`` (as ``InterpreterPoolExecutor`` does).
"""

from __future__ import annotations

from typing import Any, Callable, Tuple

_Task = Tuple[Callable[..., Any], Tuple[Any, ...], "dict[str, Any]"]


class WorkerContext:
    """The default worker context: call the initializer, then each call as it is."""

    @classmethod
    def prepare(
        cls, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
    ) -> tuple[Callable[[], WorkerContext], Callable[..., _Task]]:
        """Check *initializer*; return ``(create_context, resolve_task)``."""
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        return (lambda: cls(initializer, initargs)), (lambda fn, args, kwargs: (fn, args, kwargs))

    def __init__(
        self, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
    ) -> None:
        self.initializer = initializer
        self.initargs = initargs

    def initialize(self) -> None:
        """Run in the worker before its first call."""
        if self.initializer is not None:
            self.initializer(*self.initargs)

    def finalize(self) -> None:
        """Run in the worker as it ends."""

    def run(self, task: Any) -> Any:
        """Run one call and return its result."""
        fn, args, kwargs = task
        return fn(*args, **kwargs)
