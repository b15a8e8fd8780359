"""Worker contexts: Python 3.14's hook for subclasses of the thread pool.

From 3.14 on, the standard library's ``ThreadPoolExecutor`` asks a class
method, ``prepare_context(initializer, initargs, **ctxkwargs)``, how its
workers set up, run calls, and tear down.  It returns two functions:

- ``create_context()``, called once per worker, in the thread that starts
  it, makes that worker's *context*: an object with ``initialize()`` (run
  first, in the worker; if it raises, the pool is broken), ``run(task)``
  (runs one call and returns its result) and ``finalize()`` (run last);
- ``resolve_task(fn, args, kwargs)``, called by ``submit()``, turns a call
  into the *task* that ``run()`` is given.

Extra keyword arguments of the pool's constructor go to
``prepare_context()``.  The default, :class:`WorkerContext`, just calls the
initializer and the call.  That is what minipool's pool does on every
version, without building a task or a context (see
``minipool.thread_pool``); only a subclass that overrides
``prepare_context()`` gets contexts made and used, as in the standard
library (its ``InterpreterPoolExecutor`` is such a subclass).  Before 3.14
there is no such hook, and minipool has none either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Tuple

if TYPE_CHECKING:
    from typing_extensions import TypeAlias

    # What resolve_task() makes of a call, and run() is given.
    _Task: TypeAlias = Tuple[Callable[..., Any], Tuple[Any, ...], "dict[str, Any]"]

__all__ = ["WorkerContext"]


class WorkerContext:
    """The default worker context: call the initializer, then each call as it is."""

    @classmethod
    def prepare(
        cls, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]
    ) -> tuple[Callable[[], WorkerContext], Callable[..., _Task]]:
        """Check *initializer*; return ``(create_context, resolve_task)``."""
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")

        def create_context() -> WorkerContext:
            return cls(initializer, initargs)

        def resolve_task(
            fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
        ) -> _Task:
            return (fn, args, kwargs)

        return create_context, resolve_task

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
