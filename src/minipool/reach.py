"""Reachability: could any thread outside a deadlock still get hold of an object?

Debug mode's detector (:mod:`minipool.debug`) asks this of a future that only
a direct call can end: a bare :class:`~minipool.Future`, or a call queued in a
pool whose workers are all stuck (``cancel()`` ends it).  If no thread that
can still run holds a path to the future, no thread can end it.  That is the
question Go's goroutine-leak profile asks with its garbage collector
(golang/go#74609): a blocked goroutine is leaked when what it waits on is
unreachable from every runnable one.

The walk goes *backwards*, from the future to what refers to it
(:func:`gc.get_referrers`, one pass over the heap per step), because the
answer is nearly always found a few steps away from the future: a module's
globals, a thread's local variable, or nothing.  A walk forwards from every
root would visit the whole heap (about 0.25 s for a Jupyter kernel's heap of
420,000 objects, measured; a backward step is about 5 ms).

What counts as a *root*, a place from which a running thread may reach it:

- a module's globals (any thread that runs may import the module), unless
  no thread that runs might act;
- the local variables of a thread outside the deadlock (its frames), a
  frame object of one, and a suspended generator held by one;
- a signal handler;
- an object whose holder the walk cannot see: it is referred to by nothing
  the garbage collector tracks and by no stuck thread's local variable, so
  C code holds it (an extension's callback list, say).  Assumed to be a root.

What the walk does not pass through (a *cut*): the stuck threads' frames (they
will not run again), the detector's own records, and the queue of a pool
that will never run its calls (the detector models that queue).  A walk
for a running call's future looks only for running threads' variables, up
to HELD_STEPS steps back (see minipool.debug's limits).

Limits, all on the side of silence: an object on the evaluation stack of a
thread blocked in C code (passed to it as an argument) is not seen, and the
walk gives up, answering "reachable", past the bounds below.

Thread safety: the walk runs in the detector's checker thread, under the
detector's lock.  It reads other threads' frames only where that is safe:
a stuck thread's callers from the frame its wait registered (they cannot
run until the wait ends, which takes the lock), and a running thread's
frames only with the GIL (minipool.debug does not ask otherwise).
"""

from __future__ import annotations

import gc
import signal
import sys
import time
import types
import weakref
from typing import Any, Callable, Iterable

# The walk's bounds, past which it answers "reachable" (the silent answer):
# a future held that widely is not one a deadlock holds.  A step costs one
# pass over the heap, times the frontier's size (gc.get_referrers compares
# each reference it visits with every object asked about).
MAX_OBJECTS = 5_000  # gathered in all
MAX_FRONTIER = 64  # asked about in one step
MAX_SECONDS = 0.5  # spent on one walk
# A walk through running threads' own variables only (a running call's future:
# see minipool.debug) looks this many steps back: the variable, or a container
# (or an object) the variable holds, and so on.
HELD_STEPS = 3

_GENERATOR_TYPES = (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)


def _frames(top: types.FrameType | None) -> Iterable[types.FrameType]:
    frame = top
    while frame is not None:
        yield frame
        frame = frame.f_back


def _generator_frame(obj: Any) -> types.FrameType | None:
    """The frame of a generator, coroutine or async generator (None once it ended)."""
    for name in ("gi_frame", "cr_frame", "ag_frame"):
        frame = getattr(obj, name, None)
        if frame is not None:
            return frame  # type: ignore[no-any-return]
    return None


class Stacks:
    """The frames of one look: of the stuck threads, and of the threads that still run.

    Only ids are recorded, of the frames and of the objects in their local
    variables (read through ``frame.f_locals``).  The frames are kept alive
    meanwhile, and so their variables: an id is unique only while its object
    lives.  (A running thread may drop a variable meanwhile, and its id be
    reused: the walk may then take another object for a root, never the
    reverse.)
    """

    def __init__(self) -> None:
        self._frames: list[types.FrameType] = []  # alive for the look
        # The code of functions whose variables are not counted as holding
        # anything for a running thread (minipool's waits: see _add).
        self.skipped_code: set[types.CodeType] = set()
        self.stuck_frames: set[int] = set()
        self.stuck_held: set[int] = set()  # objects in a stuck thread's local variables
        self.running_frames: set[int] = set()
        self.running_held: set[int] = set()
        # Set when a running thread's variables could not be read: then
        # anything may be reachable.
        self.blind = False

    def holds(self, obj: Any) -> bool:
        """Does a stuck thread's frame hold *obj* (one the walk need not explain)?

        A cell of a frame's variable shows in ``f_locals`` as its contents:
        a cell whose contents a stuck frame holds is taken for that frame's.
        (Were it a running frame's, the walk would have stopped at the
        contents, a root.)
        """
        if id(obj) in self.stuck_held:
            return True
        if type(obj) is types.CellType:
            try:
                return id(obj.cell_contents) in self.stuck_held
            except ValueError:  # an empty cell
                return False
        return False

    def add_stuck(self, top: types.FrameType | None) -> None:
        """The frames from *top* down belong to a thread that will not run again."""
        self._add(top, self.stuck_frames, self.stuck_held, skip=False)

    def add_running(self, top: types.FrameType | None) -> None:
        """The frames from *top* down belong to a thread that may still run."""
        try:
            self._add(top, self.running_frames, self.running_held, skip=True)
        except Exception:  # a frame being torn down, say: assume it holds anything
            self.blind = True

    def _add(
        self, top: types.FrameType | None, frames: set[int], held: set[int], *, skip: bool
    ) -> None:
        for frame in _frames(top):
            self._frames.append(frame)
            frames.add(id(frame))
            if skip and (frame.f_code in self.skipped_code or frame.f_locals is frame.f_globals):
                # A wait of minipool's holds only what its caller passed in
                # (the caller's frame shows it, if it keeps it); module-level
                # code's variables are the module's globals (a rule of their own).
                continue
            variables = frame.f_locals
            # 3.9-3.12: a dict the frame keeps (it refers to the variables, and
            # the walk may meet it); 3.13+: a proxy made afresh (never met).
            held.add(id(variables))
            held.update(id(value) for value in list(variables.values()))


class Walk:
    """One look's reachability questions, all against the same roots and cuts."""

    def __init__(
        self,
        stacks: Stacks,
        cut: Callable[[Any], bool | None],
        owned: list[Any],
        *,
        globals_are_roots: bool,
    ) -> None:
        """*cut(obj)*: True for an object the walk must not pass through, None
        for a root, False for an ordinary object.  *owned*: the asking
        thread's containers of the objects it asks about (not holders).
        *globals_are_roots*: False if no thread that runs could read them (nor
        has variables that could hold anything)."""
        self._stacks = stacks
        self._cut = cut
        self._owned = owned
        # Ids only: modules stay in sys.modules, handlers in the signal module
        # (one that goes meanwhile can only make the walk see a root too many).
        self._roots: set[int] = set()
        self._modules: set[int] = set()  # modules and their globals: roots, or cuts
        for module in list(sys.modules.values()):
            if module is not None:
                self._modules.update((id(module), id(vars(module))))
        self._globals_are_roots = globals_are_roots
        for number in signal.valid_signals() if hasattr(signal, "valid_signals") else ():
            try:
                handler = signal.getsignal(number)
            except (ValueError, OSError):
                continue
            if callable(handler):
                self._roots.add(id(handler))
        self.objects_visited = 0
        self.heap_passes = 0
        self.gave_up = 0  # walks that hit a bound

    def reaches(self, targets: list[Any], *, through_globals: bool = True) -> bool:
        """Could a thread that still runs reach any of *targets*?

        *targets* must be the caller's own list: the walk meets it as a
        holder of each target, and passes over it.  *through_globals*: False
        to count only paths from a running thread's local variables.
        """
        if self._stacks.blind:
            return True
        if not through_globals and not self._globals_are_roots:
            return False  # no thread that runs and might act: no variable of one
        step = _Step(self, targets, through_globals)
        # A tuple: gc.get_referrers(*frontier) gets it as its argument tuple
        # (not a copy the walk would meet as a holder it cannot explain).
        frontier: tuple[Any, ...] | None = step.own(tuple(targets))
        step.seen.update(id(obj) for obj in targets)
        deadline = time.monotonic() + MAX_SECONDS
        steps = 0
        while frontier:
            if not through_globals and steps == HELD_STEPS:
                return False  # no running thread's variable within those steps
            if (len(step.seen) > MAX_OBJECTS or len(frontier) > MAX_FRONTIER
                    or time.monotonic() > deadline):  # fmt: skip
                self.gave_up += 1
                return True
            steps += 1
            frontier = step.back_from(frontier)
            if frontier is None:
                return True  # a root
        return False

    def _verdict(self, holder: Any, globals_are_roots: bool) -> bool | None:
        """True: a cut; None: a root; False: walk on from it."""
        stacks = self._stacks
        if id(holder) in self._modules:
            # Any running thread may import a module: a root, unless none runs.
            return None if globals_are_roots else True
        if _runs_in(holder, stacks.stuck_frames):
            return True
        if _runs_in(holder, stacks.running_frames):
            return None
        # Any other frame is a suspended generator's or a traceback's: walk on
        # to whoever holds it.
        return self._cut(holder)


class _Step:
    """One walk of :meth:`Walk.reaches`: its bookkeeping, and one step back at a time."""

    def __init__(self, walk: Walk, targets: list[Any], through_globals: bool) -> None:
        self.walk = walk
        self.globals_are_roots = through_globals and walk._globals_are_roots
        # Only a walk through anything counts a holder it cannot see as a root;
        # one through running threads' variables alone looks for those only.
        self.unseen_holders_count = through_globals
        self.seen: set[int] = set()
        # The asking thread's own frames (and generators running in them), and
        # the walk's own containers, hold the targets: never holders.
        self.my_frames = {id(frame) for frame in _frames(sys._getframe())}
        self.walked: list[Any] = []  # the walk's containers, alive so that their ids stay theirs
        stacks, owned = walk._stacks, walk._owned
        self.mine = {id(stacks._frames), id(self.walked), id(targets), id(owned)}
        self.mine.update(id(container) for container in owned)

    def own(self, container: Any) -> Any:
        self.walked.append(container)
        self.mine.add(id(container))
        return container

    def back_from(self, frontier: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The holders of *frontier* to walk back from next; None if one is a root."""
        walk, stacks = self.walk, self.walk._stacks
        for obj in frontier:
            if id(obj) in walk._roots or id(obj) in stacks.running_held:
                return None
        # Objects a stuck thread holds are accounted for; every other one
        # must be held by something the walk sees, or it has a holder the
        # walk cannot see (C code), which might act: a root.
        unexplained = set()
        if self.unseen_holders_count:
            unexplained = {id(obj) for obj in frontier if not stacks.holds(obj)}
            unexplained -= {id(obj) for obj in frontier if _runs_in(obj, stacks.stuck_frames)}
        referrers = self.own(gc.get_referrers(*frontier))
        walk.heap_passes += 1
        for obj in frontier:
            referrers.extend(weakref.getweakrefs(obj))
        following = self.own([])
        for holder in referrers:
            if id(holder) in self.mine or _runs_in(holder, self.my_frames):
                continue
            seen = id(holder) in self.seen
            verdict = True if seen else walk._verdict(holder, self.globals_are_roots)
            if verdict is None:
                return None
            if unexplained:
                _explain(holder, unexplained)
            if not verdict:  # (True: a cut, or seen: it holds the object, and leads nowhere new)
                self.seen.add(id(holder))
                following.append(holder)
        if unexplained:
            return None
        walk.objects_visited += len(frontier)
        return self.own(tuple(following))  # type: ignore[no-any-return]


def _runs_in(holder: Any, frames: set[int]) -> bool:
    """Is *holder* one of *frames*, or a generator running in one?

    Exact type checks: isinstance() could run a ``__class__`` property, user
    code, which the detector must never run while it holds its lock.
    """
    kind = type(holder)
    if kind is types.FrameType:
        return id(holder) in frames
    if kind in _GENERATOR_TYPES:
        frame = _generator_frame(holder)
        return frame is not None and id(frame) in frames
    return False


def _explain(holder: Any, unexplained: set[int]) -> None:
    """Strike out of *unexplained* every object *holder* refers to."""
    for referent in gc.get_referents(holder):
        unexplained.discard(id(referent))
