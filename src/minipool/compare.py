"""The comparison kit: load an implementation to compare, and make what it shows comparable.

Four harnesses run one scenario on the standard library and on another
implementation and compare what they see: the tour (``python -m minipool
--impl MODULE``), the test suite's side-by-side tests, the differential
suite (``tests/equivalence --impl=MODULE``) and the run of CPython's own
tests (``tests/cpython_suite``).  They share this module: one list of the
names an implementation must offer, one way to load it with a one-line
reason when that fails, and one way to blank out what differs from run to
run (object addresses and ids).

Comparison tooling, not part of the pool: nothing in the core imports it,
and it never imports :mod:`concurrent.futures` itself (the harness passes
the module names it compares).
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType
from typing import Any

__all__ = [
    "ADDRESS_MARK",
    "REQUIRED_NAMES",
    "ImplementationError",
    "blank_addresses",
    "load_implementation",
    "normalized",
]

# The thread-pool half of concurrent.futures' public names that the harnesses
# use: what a module must offer to be compared.
REQUIRED_NAMES = (
    "ThreadPoolExecutor",
    "Future",
    "wait",
    "as_completed",
    "FIRST_COMPLETED",
    "FIRST_EXCEPTION",
    "ALL_COMPLETED",
    "CancelledError",
    "TimeoutError",
    "InvalidStateError",
    "BrokenExecutor",
    "Executor",
)

# Object addresses in reprs ("<Future at 0x7f3a... state=...>") and ids in
# messages ("Future 139887... in unexpected state") differ from run to run
# and between implementations; they are replaced by ADDRESS_MARK.
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+|\b\d{9,}\b")
ADDRESS_MARK = "0x…"


class ImplementationError(Exception):
    """The module named to be compared cannot be: its message says why, in one line."""


def load_implementation(name: str) -> ModuleType:
    """Import the module *name* and check that it offers :data:`REQUIRED_NAMES`.

    Raises :class:`ImplementationError` ``"cannot import it (ErrorType:
    message)"`` or ``"the module lacks A, B"``; each harness prefixes it with
    the option the user typed.
    """
    try:
        module = importlib.import_module(name)
    except Exception as exc:  # any failure to import is the user's input
        raise ImplementationError("cannot import it (%s: %s)" % (type(exc).__name__, exc)) from None
    missing = [attribute for attribute in REQUIRED_NAMES if not hasattr(module, attribute)]
    if missing:
        raise ImplementationError("the module lacks %s" % ", ".join(missing))
    return module


def blank_addresses(text: str) -> str:
    """*text* with object addresses and ids replaced by :data:`ADDRESS_MARK`."""
    return _ADDRESS.sub(ADDRESS_MARK, text)


def normalized(observation: Any) -> Any:
    """*observation* with :func:`blank_addresses` applied to every string inside it.

    Walks lists, tuples and dictionaries (keys stay as they are); other
    values are returned unchanged.
    """
    if isinstance(observation, str):
        return blank_addresses(observation)
    if isinstance(observation, (list, tuple)):
        return type(observation)(normalized(item) for item in observation)
    if isinstance(observation, dict):
        return {key: normalized(value) for key, value in observation.items()}
    return observation
