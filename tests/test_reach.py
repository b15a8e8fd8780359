"""minipool.reach: who can still reach an object, walked back through the heap.

Each test parks a helper thread with the object in a local variable, tells
the walk whether that thread is stuck or running, and asks.
"""

from __future__ import annotations

import codecs
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any, Callable

import pytest

from conftest import PROMPTLY
from minipool import reach


class Box:
    """Something to reach."""


class Parked:
    """A thread that holds *make()*'s result in a local variable until released."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.ready, self.release = threading.Event(), threading.Event()
        self.frame: types.FrameType | None = None

        def hold() -> None:
            held = make()  # noqa: F841  (what the walk must find)
            self.frame = sys._getframe()
            self.ready.set()
            self.release.wait(PROMPTLY)

        self.thread = threading.Thread(target=hold)
        self.thread.start()
        assert self.ready.wait(PROMPTLY)

    def held(self) -> Any:
        assert self.frame is not None
        return self.frame.f_locals["held"]


@pytest.fixture
def parked() -> Iterator[list[Parked]]:
    made: list[Parked] = []
    yield made
    for one in made:
        one.release.set()
        one.thread.join()


def walk(stuck: list[Parked], running: list[Parked], *, globals_are_roots: bool) -> reach.Walk:
    stacks = reach.Stacks()
    for one in stuck:
        stacks.add_stuck(one.frame)
    for one in running:
        stacks.add_running(one.frame)
    return reach.Walk(stacks, lambda holder: False, owned=[], globals_are_roots=globals_are_roots)


def test_an_object_only_a_stuck_thread_holds_is_out_of_reach(parked: list[Parked]) -> None:
    holder = Parked(lambda: [Box()])  # the Box is in a list the thread holds
    parked.append(holder)
    box = holder.held()[0]
    assert not walk([holder], [], globals_are_roots=True).reaches([box])


def test_a_running_thread_holding_it_reaches_it(parked: list[Parked]) -> None:
    holder = Parked(lambda: {"inside": [Box()]})
    parked.append(holder)
    box = holder.held()["inside"][0]
    assert walk([], [holder], globals_are_roots=True).reaches([box])
    assert walk([], [holder], globals_are_roots=True).reaches([box], through_globals=False)


MODULE_HELD: list[Box] = []


def test_a_global_is_in_reach_only_while_a_thread_might_act(parked: list[Parked]) -> None:
    MODULE_HELD.append(Box())
    try:
        box = MODULE_HELD[0]
        assert walk([], [], globals_are_roots=True).reaches([box])
        assert not walk([], [], globals_are_roots=False).reaches([box])
        # Through a running thread's own variables only: a global is not one.
        assert not walk([], [], globals_are_roots=True).reaches([box], through_globals=False)
    finally:
        MODULE_HELD.clear()


def test_an_object_held_only_by_c_code_counts_as_reachable(parked: list[Parked]) -> None:
    box = Box()

    def search(name: str) -> None:  # a codec search function that finds nothing
        assert box is not None

    # The interpreter keeps its codec search functions in a list of its own,
    # which nothing the garbage collector tracks refers to.
    codecs.register(search)
    try:
        holder = Parked(lambda: None)
        parked.append(holder)
        # The walk meets the function's closure, the function, then that
        # list, held by nothing it can see: an unseen holder, which might act.
        assert walk([holder], [], globals_are_roots=False).reaches([box])
    finally:
        if hasattr(codecs, "unregister"):  # 3.10+; before, it stays, finding nothing
            codecs.unregister(search)


def test_a_walk_past_its_bounds_gives_the_silent_answer(parked: list[Parked]) -> None:
    box = Box()
    holders = [[box] for _ in range(reach.MAX_FRONTIER + 1)]  # more holders than a step takes
    holder = Parked(lambda: holders)
    parked.append(holder)
    one_walk = walk([holder], [], globals_are_roots=False)
    assert one_walk.reaches([box])
    assert one_walk.gave_up == 1
